import { PROBLEM_TYPE_BASE, Problems, type ProblemKind } from '../../../src/errors/problem.ts';

/** Who sends a hostile request: a partner, an administrator or the privacy officer, each with its own certificate. */
export type Caller = 'politie' | 'admin' | 'privacy-officer';

export interface Expected {
  status: number;
  type: string;
  /** For validation problems: a JSON Pointer that the answer's `errors` must name. */
  errorPath?: string;
}

/** One generated hostile input and the specific problem the hub must answer it with. */
export interface HostileCase {
  name: string;
  caller: Caller;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  expect: Expected;
}

export function expectProblem(kind: ProblemKind, errorPath?: string): Expected {
  return { status: kind.status, type: PROBLEM_TYPE_BASE + kind.slug, ...(errorPath === undefined ? {} : { errorPath }) };
}

export const PGP = { 'content-type': 'application/pgp-encrypted' };

/** A POST /v1/messages by the police with an OpenPGP body. */
export function submission(name: string, body: string | Buffer, expect: Expected, headers: Record<string, string> = PGP): HostileCase {
  return { name, caller: 'politie', method: 'POST', path: '/v1/messages', headers, body, expect };
}

export { Problems };
