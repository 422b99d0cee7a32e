import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs (pino) that never carry content: the hub logs ids, digests and outcomes. The
 * redaction list is a second line of defence for fields that must never appear even by mistake.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.HUB_LOG_LEVEL ?? 'info',
      base: { service: 'actieoverleg-hub' },
      redact: {
        paths: ['body', 'payload', 'plaintext', 'ciphertext', 'armored', 'key', 'privateKey', 'cert', '*.payload', '*.plaintext', '*.key', 'req.headers.authorization'],
        censor: '[redacted]',
      },
    },
    options.destination as pino.DestinationStream | undefined,
  );
}
