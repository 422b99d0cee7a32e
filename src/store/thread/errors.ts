import { DuplicateMessageError, PolicyVersionExistsError } from '../types.ts';
import type { ThrownError } from './protocol.ts';

// The store's typed errors: callers check them with instanceof, so they are rebuilt as their own class.
const TYPED: Record<string, { prototype: Error }> = { DuplicateMessageError, PolicyVersionExistsError };

export function thrown(err: unknown): ThrownError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const errcode = (err as { errcode?: unknown }).errcode;
  return { name: err.name, message: err.message, ...(typeof errcode === 'number' ? { errcode } : {}) };
}

export function rebuilt(error: ThrownError): Error {
  const err = Object.create((TYPED[error.name] ?? Error).prototype) as Error & { errcode?: number };
  err.name = error.name;
  err.message = error.message;
  if (error.errcode !== undefined) err.errcode = error.errcode;
  Error.captureStackTrace(err, rebuilt);
  return err;
}
