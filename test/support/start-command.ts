import { readFileSync } from 'node:fs';

/**
 * What follows `node` in package.json's `start` script: the V8 flags the hub runs with, then
 * `src/main.ts`. Tests and the bench start the hub with these, so that they measure what `npm start`
 * and the container image run.
 */
export function hubNodeArgs(packageJson = 'package.json'): string[] {
  const { scripts } = JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts: { start: string } };
  const [node, ...args] = scripts.start.trim().split(/\s+/);
  if (node !== 'node' || args.at(-1) !== 'src/main.ts') throw new TypeError(`package.json's start script is not "node [flags] src/main.ts": ${scripts.start}`);
  return args;
}
