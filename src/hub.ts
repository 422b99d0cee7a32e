import { readFileSync } from 'node:fs';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadAdapters } from '../adapters/registry.ts';
import type { HubConfig } from './config/types.ts';
import { DeliveryQueues } from './delivery/queue.ts';
import { reconcile } from './delivery/reconciler.ts';
import { pullTransport } from './delivery/transports/pull.ts';
import { pushTransport } from './delivery/transports/push.ts';
import { DeliveryWorkers } from './delivery/worker.ts';
import { loadKeyring } from './envelope/keyring.ts';
import { createApp } from './ingress/app.ts';
import { createTlsServer } from './ingress/server.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { PolicyRegistry } from './policies/registry.ts';
import { SqliteStore } from './store/sqlite.ts';
import type { HubStore } from './store/types.ts';

export interface HubOptions {
  log?: Logger;
  /** How often stored deliveries without a job are queued again. */
  reconcileIntervalMs?: number;
}

export interface RunningHub {
  server: Server;
  port: number;
  store: HubStore;
  queues: DeliveryQueues;
  policies: PolicyRegistry;
  close(): Promise<void>;
}

function readPseudonymKey(path: string): Uint8Array {
  const hex = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64,}$/i.test(hex)) throw new TypeError(`${path} must hold at least 32 bytes as hex`);
  return Buffer.from(hex, 'hex');
}

/** The composition root: the only place where configuration meets I/O. */
export async function startHub(config: HubConfig, options: HubOptions = {}): Promise<RunningHub> {
  const log = options.log ?? createLogger();
  const tls = {
    ca: readFileSync(config.hub.tls.ca, 'utf8'),
    cert: readFileSync(config.hub.tls.cert, 'utf8'),
    key: readFileSync(config.hub.tls.key, 'utf8'),
  };
  const clientTls = { ca: tls.ca, cert: readFileSync(config.hub.tls.clientCert, 'utf8'), key: readFileSync(config.hub.tls.clientKey, 'utf8') };
  const keyring = await loadKeyring(config);
  const adapters = await loadAdapters(config.partners.map((p) => p.adapter));
  const pseudonymKey = readPseudonymKey(config.hub.pseudonymKey);
  const store = new SqliteStore(config.hub.database.path);
  const queues = new DeliveryQueues(config.hub, config.partners.map((p) => p.id));
  const enqueue = (deliveryId: string, recipient: string) => queues.enqueue(deliveryId, recipient);
  const workers = new DeliveryWorkers({
    config,
    store,
    log,
    transports: { pull: pullTransport, push: pushTransport(clientTls, config.hub.delivery.pushTimeoutSeconds) },
  });

  const policies = await PolicyRegistry.open(store, config.policies, new Set(config.partners.map((p) => p.id)), log);
  const app = createApp({ config, policies, keyring, store, adapters, pseudonymKey, enqueue, log });
  const server = createTlsServer(tls, app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.hub.listen.port, config.hub.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ host: config.hub.listen.host, port, partners: config.partners.length, policies: config.policies.length }, 'hub listening');

  await reconcile(store, enqueue, log);
  const timer = setInterval(() => void reconcile(store, enqueue, log), options.reconcileIntervalMs ?? 30_000);
  timer.unref();

  return {
    server,
    port,
    store,
    queues,
    policies,
    async close() {
      clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await workers.close();
      await queues.close();
      await store.close();
    },
  };
}
