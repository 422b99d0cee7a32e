import { raw, Router, type RequestHandler } from 'express';
import type { HubMetrics } from '../../observability/metrics.ts';
import { HubProblem, Problems } from '../../errors/problem.ts';
import type { HubStore } from '../../store/types.ts';
import { acceptSubmission, type SubmissionDeps } from '../../submission/accept.ts';
import { principalOf, requireRole } from '../authenticate.ts';

const PGP_MEDIA_TYPE = 'application/pgp-encrypted';
/** Armour is ASCII, so these read the same; the body is decoded as UTF-8. */
const ASCII_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii', 'iso-8859-1', 'latin1']);

function checkCharset(contentType: string | undefined): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && !ASCII_CHARSETS.has(charset)) {
    throw new HubProblem(Problems.unsupportedMediaType, `Unsupported charset ${charset.slice(0, 40)}: send the armoured message as utf-8 or us-ascii`);
  }
}

/** Counts each submission by its outcome once the answer is sent, whichever way it went. */
function countOutcome(metrics: HubMetrics): RequestHandler {
  return (_req, res, next) => {
    res.on('finish', () => {
      const outcome = res.statusCode === 202 ? 'accepted' : res.statusCode === 200 ? 'repeated' : 'refused';
      metrics.submissions.inc({ outcome, problem: outcome === 'refused' ? String(res.locals.problem ?? res.statusCode) : '' });
    });
    next();
  };
}

export function messagesRouter(deps: SubmissionDeps & { store: HubStore; metrics: HubMetrics }): Router {
  const router = Router();
  router.use(requireRole('partner'));
  router.post('/', countOutcome(deps.metrics));

  // Bytes, decoded on a crypto worker: a string of megabytes would be decoded and then cloned on the event loop.
  router.post('/', raw({ type: () => true, limit: deps.config.hub.limits.requestBytes }), async (req, res) => {
    if (!req.is(PGP_MEDIA_TYPE)) throw new HubProblem(Problems.unsupportedMediaType, `Send the OpenPGP message as ${PGP_MEDIA_TYPE}`);
    checkCharset(req.get('content-type'));
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HubProblem(Problems.malformedOpenPgp, 'The request body is empty');
    const result = await acceptSubmission(deps, principalOf(res).id, req.body, req.get('traceparent'));
    res.status(result.status).json(result.body);
  });

  router.get('/:messageId', async (req, res) => {
    // Only the sender's own messages are found: another sender's id answers 404, revealing nothing.
    const stored = await deps.store.findMessage(principalOf(res).id, req.params.messageId);
    if (!stored) throw new HubProblem(Problems.notFound, `No message ${req.params.messageId} from you`);
    res.json({
      messageId: stored.message.messageId,
      type: stored.message.type,
      purpose: stored.message.purpose,
      caseRef: stored.message.caseRef,
      receivedAt: stored.message.receivedAt,
      recipients: stored.deliveries.map((d) => ({ recipient: d.recipient, deliveryId: d.deliveryId, status: d.status, events: d.events })),
      refused: stored.message.refused,
      ...(stored.message.meeting ? { meeting: stored.message.meeting } : {}),
    });
  });
  return router;
}
