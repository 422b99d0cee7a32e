import type { FieldError } from '../errors/problem.ts';
import type { KeyMaterial } from './crypto.ts';
import type { OpenedEnvelope, OpenLimits } from './open.ts';
import type { Sealed } from './seal.ts';

/** What the hub asks a crypto worker, and what comes back: plain data, since it crosses a thread. */
export type CryptoJob =
  | { op: 'open'; armored: string | Uint8Array; sender: string; limits: OpenLimits; at: number }
  | { op: 'seal'; plaintext: string; recipient: string; at: number }
  /** New partner keys (an administrator's reload): jobs sent after it use them. */
  | { op: 'keys'; material: KeyMaterial };

export type CryptoRequest = CryptoJob & { id: number };

export type CryptoReply =
  | { id: number; ok: true; result: OpenedEnvelope | Sealed | null }
  | { id: number; ok: false; problem: { slug: string; detail: string; errors: FieldError[] | undefined } }
  | { id: number; ok: false; message: string };
