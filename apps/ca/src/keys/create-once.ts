import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { CA_ERR, caError } from '../errors';

const LOCK = '.weft-ca.lock';
/** A lock older than this belongs to a replica that died while writing: it is broken. */
const STALE_LOCK_MS = 30_000;

/** Writes a file atomically: a temp file in the same directory, then rename. */
export function writeAtomic(dir: string, name: string, content: string, mode: number): void {
  const tmp = join(dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(tmp, content, { mode, flag: 'wx' });
  renameSync(tmp, join(dir, name));
}

function tryLock(path: string): boolean {
  try {
    closeSync(openSync(path, 'wx', 0o600));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw caError(CA_ERR.KEY_MATERIAL, 'internal', `cannot create ${path}: ${(err as Error).message}`, err);
  }
}

function breakIfStale(path: string): void {
  try {
    if (Date.now() - statSync(path).mtimeMs > STALE_LOCK_MS) unlinkSync(path);
  } catch {
    // gone already: the holder finished
  }
}

/**
 * Runs `create` in `dir` under an exclusive lock file (O_EXCL), so replicas starting together on one
 * shared directory create the key material once: the others wait for the lock to go, then find the
 * files `create` wrote. `isComplete` is checked again under the lock.
 */
export async function createOnce(dir: string, isComplete: () => boolean, create: () => void, timeoutMs = 20_000): Promise<void> {
  if (isComplete()) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw caError(CA_ERR.KEY_MATERIAL, 'internal', `cannot create the CA directory ${dir}: ${(err as Error).message}`, err);
  }
  const lock = join(dir, LOCK);
  const deadline = Date.now() + timeoutMs;
  while (!isComplete()) {
    if (tryLock(lock)) {
      try {
        if (!isComplete()) create();
      } finally {
        unlinkSync(lock);
      }
      return;
    }
    if (Date.now() > deadline) throw caError(CA_ERR.KEY_MATERIAL, 'unavailable', `timed out waiting for ${lock}`);
    breakIfStale(lock);
    while (existsSync(lock) && Date.now() <= deadline) await sleep(25);
  }
}
