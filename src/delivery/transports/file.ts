import { mkdir, open, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Transport } from './types.ts';
import { TransportError } from './types.ts';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function fsync(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * File drop, for systems that can only read files: the armoured delivery is written to a temporary
 * name, flushed, and renamed to `<deliveryId>.asc`, so a reader never sees half a file; the directory
 * is flushed too, so the rename survives a crash. A file already there means an earlier attempt got through.
 */
export const fileTransport: Transport = {
  async deliver(delivery, partner) {
    if (partner.transport.kind !== 'file') throw new TransportError(`partner ${partner.id} is not configured for file drop`);
    const dir = partner.transport.directory;
    const name = `${delivery.deliveryId}.asc`;
    const target = join(dir, name);
    try {
      if (await exists(target)) return { event: 'delivered', detail: `already in the drop directory as ${name}` };
      await mkdir(dir, { recursive: true });
      const temporary = join(dir, `.${delivery.deliveryId}.tmp`);
      const handle = await open(temporary, 'w', 0o640);
      try {
        await handle.writeFile(delivery.ciphertext);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
      await fsync(dir, 'r');
      return { event: 'delivered', detail: `written as ${name}` };
    } catch (err) {
      throw new TransportError(`file drop failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  },
};
