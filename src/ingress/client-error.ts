import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { Duplex } from 'node:stream';
import helmet from 'helmet';
import { Problems, problemBody, type ProblemKind } from '../errors/problem.ts';

/** The headers helmet sets, recorded once, for answers written before Express sees a request. */
function helmetHeaders(): [string, string][] {
  const headers: [string, string][] = [];
  const recorder = { setHeader: (name: string, value: unknown) => headers.push([name, String(value)]), removeHeader: () => undefined };
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return headers;
}

function kindOf(err: NodeJS.ErrnoException): ProblemKind {
  if (err.code === 'HPE_HEADER_OVERFLOW') return Problems.headersTooLarge;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return Problems.requestTimeout;
  return Problems.malformedRequest;
}

/**
 * Node answers a request it cannot parse (a garbled request line, oversized headers, conflicting
 * lengths) itself, with a bare status line. This answers it as every other error: problem+json with
 * the security headers, and no detail of the parser's.
 */
export function answerClientErrors(server: Server): void {
  const security = helmetHeaders();
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const kind = kindOf(err);
    const body = JSON.stringify(problemBody(kind, 'The request could not be read as HTTP'));
    const head = [
      `HTTP/1.1 ${kind.status} ${kind.title}`,
      'Content-Type: application/problem+json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      ...security.map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(head.join('\r\n') + '\r\n\r\n' + body);
  });
}
