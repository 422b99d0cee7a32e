import type { HubConfig, Partner } from '../config/types.ts';
import { HubProblem, Problems } from '../errors/problem.ts';
import { z } from 'zod';
import type { Envelope } from '../messages/index.ts';
import { MessageType, Purpose } from '../messages/envelope.ts';

const Header = z.object({ type: MessageType, purpose: Purpose });

/**
 * Checked on the decrypted JSON before its payload is validated, so that a type or purpose the partner may
 * not send is refused as such (403), whatever the payload; a header that is not valid is left to the
 * schema (422).
 */
export function checkSenderMaySendRaw(partner: Partner, raw: unknown): void {
  const header = Header.safeParse(raw);
  if (header.success) checkSenderMaySend(partner, header.data);
}

export function checkSenderMaySend(partner: Partner, envelope: Pick<Envelope, 'type' | 'purpose'>): void {
  const allowed = partner.sends.some((s) => s.type === envelope.type && (s.purposes as string[]).includes(envelope.purpose));
  if (!allowed) {
    throw new HubProblem(Problems.notAllowedToSend, `Partner ${partner.id} may not send ${envelope.type} for purpose ${envelope.purpose}`);
  }
}

/** A createdAt too old is a replay; one too far in the future is a clock or a forgery. */
export function checkAcceptWindow(createdAt: string, now: Date, window: HubConfig['hub']['acceptWindow']): void {
  const age = (now.getTime() - Date.parse(createdAt)) / 1000;
  if (age > window.maxAgeSeconds) {
    throw new HubProblem(Problems.outsideWindow, `createdAt is ${Math.round(age)} s old; at most ${window.maxAgeSeconds} s is accepted`, [
      { path: '/createdAt', message: 'too old: possible replay' },
    ]);
  }
  if (-age > window.maxSkewSeconds) {
    throw new HubProblem(Problems.outsideWindow, `createdAt is ${Math.round(-age)} s in the future; at most ${window.maxSkewSeconds} s is accepted`, [
      { path: '/createdAt', message: 'in the future' },
    ]);
  }
}

/** DOMAIN.md: a submitter other than the chair must also have reported the case at Veilig Thuis. */
export function checkSubmissionRules(envelope: Envelope, sender: string, chair: string): void {
  if (envelope.type !== 'submission' || sender === chair) return;
  if (typeof envelope.payload.vtReportReference !== 'string') {
    throw new HubProblem(Problems.schemaViolation, 'A submission by a partner other than Veilig Thuis needs the reference of its report at Veilig Thuis', [
      { path: '/payload/vtReportReference', message: 'required when the submitter is not Veilig Thuis' },
    ]);
  }
}
