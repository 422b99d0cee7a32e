import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { isStaleConnection, keepAliveAgentOptions } from '../http/keep-alive.ts';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ClientTls {
  ca: string;
  cert: string;
  key: string;
}

/** The client certificate under certs/<dir>/ (a partner, admin or privacy-officer) and the CA. */
export function loadClientTls(certsDir: string, dir: string): ClientTls {
  return {
    ca: readFileSync(join(certsDir, 'ca.crt'), 'utf8'),
    cert: readFileSync(join(certsDir, dir, 'client.crt'), 'utf8'),
    key: readFileSync(join(certsDir, dir, 'client.key'), 'utf8'),
  };
}

/**
 * An HTTPS client with a client certificate and keep-alive, as partner systems and operators use. A request
 * that meets a pooled connection the hub had just closed is sent once more on a new one.
 */
export class MutualTlsClient {
  private readonly baseUrl: URL;
  private readonly agent: Agent;
  /** Requests sent once more because the hub had closed the pooled connection they were written to. */
  repeatedOnNewConnection = 0;

  constructor(tls: ClientTls, baseUrl: string) {
    this.baseUrl = new URL(baseUrl);
    this.agent = new Agent({ ...keepAliveAgentOptions, ca: tls.ca, cert: tls.cert, key: tls.key });
  }

  request(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return this.send(method, path, body, headers, true);
  }

  private send(method: string, path: string, body: string | Buffer | undefined, headers: Record<string, string>, mayRepeat: boolean): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = request(new URL(path, this.baseUrl), { method, agent: this.agent, headers }, (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', (err) => {
        if (!mayRepeat || !isStaleConnection(req, err, answered)) return reject(err);
        this.repeatedOnNewConnection++;
        resolve(this.send(method, path, body, headers, false));
      });
      req.end(body);
    });
  }

  /** Sends JSON and parses a JSON (or problem+json) answer. */
  async json(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: HttpAnswer['headers']; body: any }> {
    const answer = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? headers : { 'content-type': 'application/json', ...headers });
    return { status: answer.status, headers: answer.headers, body: answer.body ? JSON.parse(answer.body) : undefined };
  }

  close(): void {
    this.agent.destroy();
  }
}
