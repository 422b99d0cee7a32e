import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hubNodeArgs } from '../support/start-command.ts';

/** The exec form of the Dockerfile's CMD, as an array. */
function dockerCmd(): string[] {
  const line = readFileSync('Dockerfile', 'utf8').split('\n').find((l) => l.startsWith('CMD '));
  return JSON.parse(line!.slice('CMD '.length)) as string[];
}

describe('the command that starts the hub', () => {
  it('is the same in package.json and the container image', () => {
    expect(dockerCmd()).toEqual(['node', ...hubNodeArgs()]);
  });

  it('passes only flags that this Node accepts', () => {
    const flags = hubNodeArgs().slice(0, -1);
    const run = spawnSync(process.execPath, [...flags, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('is refused when the start script does not run src/main.ts with node', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aoh-start-'));
    try {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start: 'tsx src/main.ts' } }));
      expect(() => hubNodeArgs(join(dir, 'package.json'))).toThrow(/not "node \[flags\] src\/main.ts"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
