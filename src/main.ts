import { resolve } from 'node:path';
import { loadConfig } from './config/load.ts';
import { ConfigError } from './errors/problem.ts';
import { startHub } from './hub.ts';
import { createLogger } from './observability/logger.ts';

const log = createLogger();
const configDir = resolve(process.env.HUB_CONFIG_DIR ?? 'config');

try {
  const config = loadConfig(configDir);
  const hub = await startHub(config, { log, loadPartners: () => loadConfig(configDir).partners });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: no new requests, finishing deliveries in flight');
    await hub.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // A new CRL, certificate or partner key is picked up without a restart; a broken file keeps the previous ones.
  process.on('SIGHUP', () => {
    try {
      hub.reloadTls();
    } catch {
      // already logged by the reloader
    }
    hub.reloadKeys().catch(() => undefined); // logged by the reloader too
  });
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}
