import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOnce } from './create-once';

const LOCK = '.weft-ca.lock';

describe('createOnce', () => {
  it('breaks a lock left by a replica that died while writing (older than 30 s)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-ca-lock-'));
    writeFileSync(join(dir, LOCK), '');
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(join(dir, LOCK), old, old);
    await createOnce(dir, () => existsSync(join(dir, 'done')), () => writeFileSync(join(dir, 'done'), 'x'));
    expect(existsSync(join(dir, 'done'))).toBe(true);
    expect(existsSync(join(dir, LOCK))).toBe(false);
  });

  it('waits for a live holder, and gives up at the deadline with WEFT_ERR_CA_KEY_MATERIAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-ca-lock-'));
    writeFileSync(join(dir, LOCK), '');
    const created = jest.fn();
    await expect(createOnce(dir, () => existsSync(join(dir, 'done')), created, 200)).rejects.toMatchObject({ code: 'WEFT_ERR_CA_KEY_MATERIAL' });
    expect(created).not.toHaveBeenCalled();
  });

  it('does nothing when the material is already complete', async () => {
    const create = jest.fn();
    await createOnce(join(tmpdir(), 'weft-ca-never-created'), () => true, create);
    expect(create).not.toHaveBeenCalled();
    expect(existsSync(join(tmpdir(), 'weft-ca-never-created'))).toBe(false);
  });
});
