import type { RequestHandler, Response } from 'express';
import { z } from 'zod';
import { HubProblem, Problems } from '../errors/problem.ts';
import { routedPath } from './routed-path.ts';

// Decimal digits only: Number() would also take `0x10`, `1e2`, ` 5` or `-5`.
export const count = z.string().regex(/^[0-9]{1,15}$/, 'a whole decimal number').transform(Number);

/** A limit of 1 to `max` results, `fallback` when absent. */
export const limit = (max: number, fallback: number) => count.pipe(z.number().min(1, 'at least 1').max(max, `at most ${max}`)).default(fallback);

const NONE = z.object({}).strict();

/**
 * A query string read strictly: only the declared parameters, each once and well formed. Each problem
 * names its parameter (an unknown one by its own name) as the `path` of the answer's `errors`.
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ path: k, message: 'unknown query parameter' })) : [{ path: i.path.map(String).join('.'), message: i.message }],
  );
  throw new HubProblem(Problems.malformedRequest, `Invalid query parameter ${[...new Set(errors.map((e) => e.path))].join(', ')}`, errors);
}

/**
 * Checks the query of every request of a router before its routes run: the routes named in `declared`
 * (`GET /stats`) by their schema, every other one as taking no parameters at all. A route reads the
 * parsed values with `queryOf`.
 */
export function strictQuery(declared: Record<string, z.ZodType> = {}): RequestHandler {
  return (req, res, next) => {
    const path = routedPath(req.path);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    res.locals.query = parseQuery(declared[`${method} ${path}`] ?? NONE, req.query);
    next();
  };
}

export function queryOf<S extends z.ZodType>(res: Response, _schema: S): z.output<S> {
  return res.locals.query as z.output<S>;
}
