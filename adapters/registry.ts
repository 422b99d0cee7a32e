import type { PartnerAdapter } from './types.ts';

/**
 * Loads the adapter folder each partner's configuration names (its id by default), so that adding a
 * partner takes configuration and at most one new folder here.
 */
export async function loadAdapters(names: string[]): Promise<Map<string, PartnerAdapter>> {
  const adapters = new Map<string, PartnerAdapter>();
  for (const name of new Set(names)) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new TypeError(`invalid adapter name ${name}`);
    const module = (await import(`./${name}/index.ts`).catch(() => undefined)) as { adapter?: PartnerAdapter } | undefined;
    if (!module?.adapter) throw new TypeError(`adapter ${name} not found: expected adapters/${name}/index.ts exporting "adapter"`);
    adapters.set(name, module.adapter);
  }
  return adapters;
}
