import { connect } from 'node:tls';
import type { ClientTls } from '../../src/simulator/client.ts';
import type { HttpAnswer } from '../../src/simulator/client.ts';

/**
 * Writes bytes straight onto a mutual-TLS connection and parses the answer, for requests no HTTP
 * client would send: a garbled request line, oversized headers, conflicting lengths.
 */
export function rawRequest(tls: ClientTls, port: number, bytes: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...tls }, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}
