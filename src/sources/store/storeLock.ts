/**
 * One writer per store directory: the extension and `trace-insight serve`/`import` share a store,
 * and two appenders would interleave records. The lock file holds the writer's pid; a lock whose
 * process is gone (crash, SIGKILL) is taken over.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Thrown when another live process (or this one) already writes to the store. */
export class StoreLockedError extends Error {
  constructor(readonly dir: string, readonly pid: number) {
    super(`trace store ${dir} is in use by process ${pid} (the VS Code extension or another trace-insight command); stop it or open the store read-only`);
  }
}

const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Takes the lock of `dir`; resolves to a release function. */
export async function acquireStoreLock(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, 'writer.lock');
  const key = path.resolve(dir);
  if (heldHere.has(key)) throw new StoreLockedError(dir, process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await fs.open(file, 'wx');
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw e;
      const pid = Number.parseInt(await fs.readFile(file, 'utf8').catch(() => ''), 10);
      // A lock older than this boot is stale even if its pid now names another process.
      const sinceBoot = (await fs.stat(file).catch(() => undefined))?.mtimeMs ?? 0;
      const fromThisBoot = sinceBoot >= Date.now() - os.uptime() * 1000 - 60_000;
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && fromThisBoot && alive(pid)) throw new StoreLockedError(dir, pid);
      // A stale lock (its writer died); another opener may race us to remove it, hence the retry.
      await fs.unlink(file).catch(() => undefined);
    }
  }
  heldHere.add(key);
  return async () => {
    heldHere.delete(key);
    await fs.unlink(file).catch(() => undefined);
  };
}
