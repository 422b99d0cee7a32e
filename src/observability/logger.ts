import { pino, type Logger } from 'pino';
import { redactSecrets } from './redact.ts';

export type { Logger };

/** A log call's arguments with secrets removed; an error passed first is logged under `err`, as pino does. */
function redactArguments(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  if (first instanceof Error) {
    const err = redactSecrets(first) as { message: string };
    return [{ err }, ...(rest.length > 0 ? rest.map(redactSecrets) : [err.message])];
  }
  return args.map(redactSecrets);
}

/**
 * Structured logs (pino) that never carry content: the hub logs ids, digests and outcomes. Every
 * argument of every call, and every child logger's bindings, also pass through redactSecrets (by
 * field name and by content: PEM blocks and OpenPGP armour), a second line of defence for what must
 * never appear even by mistake.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const logger = pino(
    {
      level: options.level ?? process.env.HUB_LOG_LEVEL ?? 'info',
      base: { service: 'actieoverleg-hub' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, redactArguments(args) as Parameters<typeof method>);
        },
      },
    },
    options.destination as pino.DestinationStream | undefined,
  );
  // pino applies no hook to a child's bindings; children inherit this, grandchildren too.
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, redactSecrets(bindings) as typeof bindings, childOptions);
  } as typeof child;
  return logger;
}
