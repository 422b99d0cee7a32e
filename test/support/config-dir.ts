import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

type Doc = Record<string, unknown>;

export interface ConfigDir {
  dir: string;
  /** Rewrites one YAML file of the copy, such as `hub.yaml` or `partners/om.yaml`. */
  edit(file: string, change: (doc: Doc) => void): void;
  write(file: string, doc: Doc): void;
  remove(): void;
}

/** A copy of the shipped config/ to change for one test, for a hub started with HUB_CONFIG_DIR. */
export function copyConfig(): ConfigDir {
  const dir = mkdtempSync(join(tmpdir(), 'aoh-config-'));
  cpSync(resolve('config'), dir, { recursive: true });
  const write = (file: string, doc: Doc) => writeFileSync(join(dir, file), stringify(doc));
  return {
    dir,
    edit(file, change) {
      const doc = parse(readFileSync(join(dir, file), 'utf8')) as Doc;
      change(doc);
      write(file, doc);
    },
    write,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Fast retries and recovery, so that a test sees many attempts in a few seconds. */
export function fastDelivery(config: ConfigDir): void {
  config.edit('hub.yaml', (doc) => {
    const hub = doc.hub as Doc;
    hub.delivery = { backoffSeconds: 0.2, maxBackoffSeconds: 1, maxAgeHours: 48, pushTimeoutSeconds: 1, concurrency: 4 };
    hub.recovery = { reconcileSeconds: 1, lockSeconds: 2 };
  });
}

export function pushTo(config: ConfigDir, partner: string, url: string): void {
  config.edit(`partners/${partner}.yaml`, (doc) => {
    doc.transport = { kind: 'push', url };
  });
}
