import type { HubStore } from '../types.ts';
import type { DisclosureLogStore } from '../../disclosure-log/types.ts';

/** The store's methods and its log's, by name: what the main thread may call on the store's thread. */
export type StoreMethod = Exclude<keyof HubStore, 'log' | 'close' | 'threadHeap'>;
export type LogMethod = Exclude<keyof DisclosureLogStore, 'rows'>;

export type StoreRequest =
  | { id: number; on: 'store'; method: StoreMethod; args: unknown[] }
  | { id: number; on: 'log'; method: LogMethod; args: unknown[] }
  /** The log's rows, a page at a time: `page` of an iteration the thread keeps open under `id` until it is done. */
  | { id: number; on: 'rows'; iteration: number; page: number }
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
