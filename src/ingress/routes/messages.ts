import { Router, text, type RequestHandler } from 'express';
import type { HubMetrics } from '../../observability/metrics.ts';
import { HubProblem, Problems } from '../../errors/problem.ts';
import type { HubStore } from '../../store/types.ts';
import { acceptSubmission, type SubmissionDeps } from '../../submission/accept.ts';
import { principalOf, requireRole } from '../authenticate.ts';

const PGP_MEDIA_TYPE = 'application/pgp-encrypted';

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

  router.post('/', text({ type: () => true, limit: deps.config.hub.limits.requestBytes }), async (req, res) => {
    if (!req.is(PGP_MEDIA_TYPE)) throw new HubProblem(Problems.unsupportedMediaType, `Send the OpenPGP message as ${PGP_MEDIA_TYPE}`);
    if (typeof req.body !== 'string' || req.body.length === 0) throw new HubProblem(Problems.malformedOpenPgp, 'The request body is empty');
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
