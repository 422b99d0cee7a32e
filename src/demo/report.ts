import type { Manifest } from '../minimisation/engine.ts';

/** Folds leaf paths such as /persons/0/name into /persons[]/name, counting how many leaves each covers. */
export function foldPaths(paths: string[]): Map<string, number> {
  const folded = new Map<string, number>();
  for (const path of paths) {
    const key = path.replace(/\/\d+(?=\/|$)/g, '[]');
    folded.set(key, (folded.get(key) ?? 0) + 1);
  }
  return folded;
}

export function leafPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, `${prefix}/${i}`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leafPaths(v, `${prefix}/${k}`));
  return [prefix];
}

function line(folded: Map<string, number>): string {
  return [...folded].map(([p, n]) => (n > 1 ? `${p} ×${n}` : p)).join(', ') || '(nothing)';
}

/** What a partner received (from its own decryption) beside what the hub withheld (from the disclosure record). */
export function describeDelivery(received: Record<string, unknown>, manifest: Manifest | undefined): string[] {
  const out = [`    received: ${line(foldPaths(leafPaths(received)))}`];
  if (manifest) {
    const categories = [...new Set(manifest.withheld.map((w) => w.category))].sort();
    out.push(`    withheld: ${line(foldPaths(manifest.withheld.map((w) => w.path)))}`);
    out.push(`    withheld categories: ${categories.join(', ') || '(none)'}`);
  }
  return out;
}
