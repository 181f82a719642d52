import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestInfra, waitFor, type TestInfra } from '@weft/testing';
import { csrFor } from '../../src/testing/ca-fixtures';
import { createToken, natsIssue, startCaProcess, type CaProcess } from './ca-helpers';

const A = 'spiffe://cluster.local/ns/load/sa/client';

let infra: TestInfra;
let replicas: CaProcess[] = [];

beforeAll(async () => {
  infra = await createTestInfra('ca-replicas');
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.proc.kill()));
  await infra?.close();
});

/** Issues with a bounded retry (3 attempts, 1 s each), like a proxy does; counts attempts that failed. */
async function issueWithRetry(body: Record<string, unknown>, stats: { retries: number }): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const reply = await natsIssue(infra, body, 1000);
      if (reply.ok) return true;
      throw new Error(reply.error.message);
    } catch {
      stats.retries++;
    }
  }
  return false;
}

describe('two weft-ca replicas sharing one WEFT_CA_DIR', () => {
  it('create one CA between them, and issuance continues when one is killed (SIGKILL)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-ca-shared-'));
    replicas = await Promise.all([startCaProcess(infra, dir, 'ca-1'), startCaProcess(infra, dir, 'ca-2')]);
    const roots = await Promise.all(replicas.map(async (r) => (await fetch(`${r.httpUrl}/v1/trust-bundle`)).text()));
    expect(roots[0]).toBe(roots[1]);
    expect(roots[0]).toBe(readFileSync(join(dir, 'root-cert.pem'), 'utf8'));
    const created = replicas.flatMap((r) => r.proc.logs).filter((l) => l['msg'] === 'ca key material created');
    expect(created).toHaveLength(1);

    const token = await createToken(replicas[0] as CaProcess, 'load', 'client', 600);
    const csrs = Array.from({ length: 20 }, () => csrFor(A).csr);
    const stats = { retries: 0, issued: 0, failed: 0, afterKill: 0 };
    let killed = false;
    let stop = false;
    const client = (async () => {
      for (let i = 0; !stop; i++) {
        const ok = await issueWithRetry({ csr: csrs[i % csrs.length], token, validitySeconds: 60 }, stats);
        if (ok) stats.issued++;
        else stats.failed++;
        if (ok && killed) stats.afterKill++;
      }
    })();
    const until = (n: number) => new Promise<void>((resolve) => {
      const t = setInterval(() => n <= stats.issued && (clearInterval(t), resolve()), 10);
    });
    await until(100);
    const auditOf = async () =>
      ((await (await fetch(`${(replicas[1] as CaProcess).httpUrl}/v1/certs?limit=10000`)).json()) as { certificates: { replica: string }[] }).certificates;
    // both replicas have served (and recorded) some before one dies
    await waitFor(async () => new Set((await auditOf()).map((c) => c.replica)).size === 2, { what: 'issuance by both replicas in the audit' });
    await (replicas[0] as CaProcess).proc.kill('SIGKILL');
    killed = true;
    await until(stats.issued + 300);
    stop = true;
    await client;
    process.stdout.write(`ca-replicas: issued ${stats.issued}, after the kill ${stats.afterKill}, failed attempts retried ${stats.retries}, failures ${stats.failed}\n`);
    expect(stats.failed).toBe(0);
    expect(stats.afterKill).toBeGreaterThanOrEqual(300);
    const audit = await waitFor(async () => {
      const certs = await auditOf();
      // the survivor issued everything after the kill; the killed one loses at most its last 100 ms
      return certs.filter((c) => c.replica === 'ca-2').length >= stats.afterKill ? certs : undefined;
    }, { what: 'every certificate issued after the kill in the audit' });
    expect(new Set(audit.map((c) => c.replica))).toEqual(new Set(['ca-1', 'ca-2']));
  });
});
