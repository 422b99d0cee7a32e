import express from 'express';
import helmet from 'helmet';
import type { Logger } from '../observability/logger.ts';
import type { HubStore } from '../store/types.ts';
import type { SubmissionDeps } from '../submission/accept.ts';
import { authenticate } from './authenticate.ts';
import { notFoundHandler, problemHandler } from './problem-handler.ts';
import { inboxRouter } from './routes/inbox.ts';
import { messagesRouter } from './routes/messages.ts';
import { publicRouter } from './routes/public.ts';

export interface AppDeps extends SubmissionDeps {
  store: HubStore;
  log: Logger;
}

/** The partner-facing application. Express 5 passes rejected promises of async handlers to the error handler. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(helmet());
  app.use(authenticate(deps.config));
  app.use('/v1', publicRouter(deps.keyring.hubPublicKeysArmored));
  app.use('/v1/messages', messagesRouter(deps));
  app.use('/v1/inbox', inboxRouter(deps.store));
  app.use(notFoundHandler);
  app.use(problemHandler(deps.log));
  return app;
}
