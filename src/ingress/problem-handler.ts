import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { HubProblem, Problems, problemBody, type FieldError, type ProblemKind } from '../errors/problem.ts';
import type { Logger } from '../observability/logger.ts';

export function sendProblem(res: Response, kind: ProblemKind, detail: string, errors?: FieldError[]): void {
  res.locals.problem = kind.slug;
  res.status(kind.status).type('application/problem+json').send(JSON.stringify(problemBody(kind, detail, errors)));
}

/** Errors that body parsers raise, mapped to the problem a partner can act on. */
function parserProblem(err: { type?: string; status?: number }): HubProblem | undefined {
  if (err.type === 'entity.too.large') return new HubProblem(Problems.tooLarge, 'The request body exceeds the configured limit');
  if (err.type === 'entity.parse.failed') return new HubProblem(Problems.malformedRequest, 'The request body is not valid JSON');
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') return new HubProblem(Problems.unsupportedMediaType, 'Unsupported content encoding or charset');
  if (err.status && err.status >= 400 && err.status < 500) return new HubProblem(Problems.malformedRequest, 'The request could not be read');
  return undefined;
}

/** Every error leaves as RFC 9457 problem+json, without stack traces or internal paths. */
export function problemHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const problem = err instanceof HubProblem ? err : parserProblem(err as { type?: string; status?: number });
    if (problem) {
      log.info({ method: req.method, path: req.path, status: problem.status, problem: problem.kind.slug, principal: res.locals.principal?.id }, 'request refused');
      sendProblem(res, problem.kind, problem.detail, problem.errors);
      return;
    }
    log.error({ method: req.method, path: req.path, err: { name: (err as Error).name, message: (err as Error).message } }, 'unexpected error');
    sendProblem(res, Problems.internal, 'The hub could not process this request; nothing was stored');
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, Problems.notFound, `No resource at ${req.method} ${req.path}`);
};
