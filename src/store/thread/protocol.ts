import type { DisclosureLogStore } from '../../disclosure-log/types.ts';
import type { HubStore } from '../types.ts';

/** What the thread runs: the store's writes (and a ping), each in a transaction of the group commit. */
export type StoreWrite = keyof Pick<HubStore, 'saveOutbox' | 'purgeReceivedCiphertext' | 'appendEvent' | 'appendEventOnce' | 'addPolicyVersion' | 'ping'>;
export type LogWrite = keyof Pick<DisclosureLogStore, 'addCheckpoint' | 'purgeExpired' | 'audit'>;

export type StoreRequest =
  | { id: number; on: 'store'; method: StoreWrite; args: unknown[] }
  | { id: number; on: 'log'; method: LogWrite; args: unknown[] }
  | { id: number; on: 'close' };

/** An error as it crosses the thread: its class by name, so that callers can still tell a duplicate apart. */
export interface ThrownError {
  name: string;
  message: string;
  errcode?: number;
}

export type StoreReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ThrownError };

/** The first message from the thread: the store is open (its schema migrated), or why it is not. */
export type StoreReady = { ready: true } | { ready: false; error: ThrownError };

export interface StoreThreadData {
  path: string;
}
