import express from 'express';
import helmet from 'helmet';
import { adminRouter } from '../admin/routes.ts';
import type { DisclosureLog } from '../disclosure-log/service.ts';
import { privacyConsoleRouter } from '../privacy/console.ts';
import { privacyRouter } from '../privacy/routes.ts';
import type { Logger } from '../observability/logger.ts';
import type { HubMetrics } from '../observability/metrics.ts';
import type { PolicyRegistry } from '../policies/registry.ts';
import type { HubStore } from '../store/types.ts';
import type { SubmissionDeps } from '../submission/accept.ts';
import type { PartnerKeyReloader } from '../envelope/key-reload.ts';
import { hubPublicKeysArmored } from '../envelope/keyring.ts';
import { authenticate } from './authenticate.ts';
import { rateLimit } from './rate-limit.ts';
import { openApiDocument } from './openapi.ts';
import { notFoundHandler, problemHandler } from './problem-handler.ts';
import { inboxRouter } from './routes/inbox.ts';
import { logRouter } from './routes/log.ts';
import { messagesRouter } from './routes/messages.ts';
import { publicRouter } from './routes/public.ts';
import { keysRouter } from './routes/keys.ts';
import { tlsRouter } from './routes/tls.ts';
import type { TlsReloader } from './tls-reload.ts';

export interface AppDeps extends SubmissionDeps {
  store: HubStore;
  log: Logger;
  policies: PolicyRegistry;
  metrics: HubMetrics;
  disclosureLog: DisclosureLog;
  tls: Pick<TlsReloader, 'reload' | 'status' | 'guard'>;
  keys: Pick<PartnerKeyReloader, 'reload' | 'status'>;
}

/** The partner-facing application. Express 5 passes rejected promises of async handlers to the error handler. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(helmet());
  app.use(deps.tls.guard);
  app.use(authenticate(deps.config));
  app.use(rateLimit(deps.config, deps.now, deps.metrics));
  const openApi = JSON.stringify(openApiDocument());
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openApi);
  });
  app.use('/v1', publicRouter(() => hubPublicKeysArmored(deps.keyring, deps.now?.() ?? new Date())));
  app.use('/v1/messages', messagesRouter(deps));
  app.use('/v1/inbox', inboxRouter(deps.store, deps.metrics));
  app.use('/v1/log', logRouter(deps.store, deps.disclosureLog));
  app.use('/admin/v1/tls', tlsRouter(deps.tls));
  app.use('/admin/v1/keys', keysRouter(deps.keys));
  app.use('/admin/v1', adminRouter(deps));
  app.use('/privacy/v1', privacyRouter(deps));
  app.use('/privacy/console', privacyConsoleRouter());
  app.use(notFoundHandler);
  app.use(problemHandler(deps.log));
  return app;
}
