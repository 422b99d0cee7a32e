import type { MutualTlsClient } from '../src/simulator/client.ts';
import type { Arrival } from './receivers.ts';
import { summarise, type LatencySummary } from './stats.ts';

export interface Submitted {
  start: number;
  answered: number;
  status: number;
  deliveryIds: string[];
  /** Why a submission was not accepted: its status and problem type, or the client's error. */
  failure?: string;
}

function failureOf(answer: { status: number; body: string; error?: string }): string {
  if (answer.error !== undefined) return `no answer: ${answer.error}`;
  const type = (JSON.parse(answer.body || '{}') as { type?: string }).type ?? '';
  return `HTTP ${answer.status} ${type.split(':').pop()}`.trim();
}

export async function submit(client: MutualTlsClient, armored: Uint8Array): Promise<Submitted> {
  const start = performance.now();
  const answer: { status: number; body: string; error?: string } = await client
    .request('POST', '/v1/messages', Buffer.from(armored.buffer, armored.byteOffset, armored.byteLength), { 'content-type': 'application/pgp-encrypted' })
    .catch((err: NodeJS.ErrnoException) => ({ status: 0, body: '{}', error: err.code ?? err.message }));
  const answered = performance.now();
  if (answer.status !== 202) return { start, answered, status: answer.status, deliveryIds: [], failure: failureOf(answer) };
  const deliveryIds = (JSON.parse(answer.body) as { deliveries: { deliveryId: string }[] }).deliveries.map((d) => d.deliveryId);
  return { start, answered, status: answer.status, deliveryIds };
}

/** `concurrency` partners submitting back to back, as fast as the hub answers, until the time is up or the messages run out. */
export async function closedLoop(client: MutualTlsClient, messages: Uint8Array[], concurrency: number, durationMs: number): Promise<Submitted[]> {
  const end = performance.now() + durationMs;
  const done: Submitted[] = [];
  let next = 0;
  const loop = async () => {
    while (performance.now() < end && next < messages.length) done.push(await submit(client, messages[next++]!));
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return done;
}

/** Submissions at a fixed rate whatever the answers do (an open loop), so that queueing shows in the latency. */
export async function openLoop(client: MutualTlsClient, messages: Uint8Array[], perSecond: number, durationMs: number): Promise<Submitted[]> {
  const start = performance.now();
  const count = Math.min(messages.length, Math.floor((perSecond * durationMs) / 1000));
  const pending: Promise<Submitted>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(submit(client, messages[i]!));
  }
  return Promise.all(pending);
}

export interface RunOutcome {
  submitted: number;
  accepted: number;
  failed: number;
  /** Failed submissions by why they failed. */
  failures: Record<string, number>;
  /** Accepted submissions per second over the time submissions were being sent. */
  submissionsPerSecond: number;
  /** Deliveries per second from the first submission to the last arrival. */
  deliveriesPerSecond: number;
  /** Messages delivered to every recipient, per second, from the first submission to the last arrival. */
  messagesPerSecond: number;
  /** From the start of the submission to its last recipient's arrival, in ms. */
  endToEndMs: LatencySummary;
  /** From the start of the submission to the hub's 202, in ms. */
  acceptMs: LatencySummary;
  undelivered: number;
}

export function outcome(runs: Submitted[], arrivals: Map<string, Arrival>): RunOutcome {
  const accepted = runs.filter((r) => r.status === 202);
  const first = Math.min(...runs.map((r) => r.start));
  const lastSubmit = Math.max(...runs.map((r) => r.answered));
  const endToEnd: number[] = [];
  let deliveries = 0;
  let last = lastSubmit;
  let undelivered = 0;
  for (const r of accepted) {
    const times = r.deliveryIds.map((id) => arrivals.get(id)?.at);
    const arrived = times.filter((t): t is number => t !== undefined);
    deliveries += arrived.length;
    undelivered += times.length - arrived.length;
    if (arrived.length > 0) last = Math.max(last, ...arrived);
    if (arrived.length === times.length) endToEnd.push(Math.max(...arrived) - r.start);
  }
  const seconds = (to: number) => Math.max(1e-9, (to - first) / 1000);
  return {
    submitted: runs.length,
    accepted: accepted.length,
    failed: runs.length - accepted.length,
    failures: Object.fromEntries([...Map.groupBy(runs.filter((r) => r.failure), (r) => r.failure!)].map(([why, rs]) => [why, rs.length])),
    submissionsPerSecond: accepted.length / seconds(lastSubmit),
    deliveriesPerSecond: deliveries / seconds(last),
    messagesPerSecond: endToEnd.length / seconds(last),
    endToEndMs: summarise(endToEnd),
    acceptMs: summarise(accepted.map((r) => r.answered - r.start)),
    undelivered,
  };
}
