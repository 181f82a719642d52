// Service-level CA bench: certificates/s of ONE weft-ca replica (the built bin, its own process) over
// NATS request/reply, with C requests in flight, CSRs and tokens prepared beforehand. Needs NATS and
// Redis (NATS_URL, REDIS_URL) and `nx run ca:build`.
//   node apps/ca/bench/ca-nats.bench.mjs [--seconds 5] [--concurrency 64]
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { connect } = require('@nats-io/transport-node');
const { buildCsr } = require(join(import.meta.dirname, '..', 'dist', 'x509', 'csr-builder.js'));
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '64' } } });
const prefix = `bench${randomBytes(3).toString('hex')}.`;
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'weft-ca.js')], {
  env: { ...process.env, WEFT_CA_DIR: mkdtempSync(join(tmpdir(), 'weft-ca-nbench-')), WEFT_CA_HTTP_PORT: '0', WEFT_CA_GRPC_PORT: '0', WEFT_SUBJECT_PREFIX: prefix, WEFT_REDIS_PREFIX: `${prefix}:` },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const httpPort = await new Promise((resolve, reject) => {
  createInterface({ input: child.stdout }).on('line', (l) => {
    const log = JSON.parse(l);
    if (log.msg === 'ca ready') resolve(log.httpPort);
  });
  child.once('exit', (code) => reject(new Error(`weft-ca exited ${code}`)));
});
const token = async (sa) => (await (await fetch(`http://127.0.0.1:${httpPort}/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ namespace: 'bench', serviceAccount: sa }) })).json()).token;
const bodies = [];
for (let i = 0; i < 500; i++) {
  const sa = `sa-${i % 20}`;
  const csr = buildCsr({ privateKey: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey, uris: [`spiffe://cluster.local/ns/bench/sa/${sa}`] });
  bodies.push(JSON.stringify({ csr, token: await token(sa), validitySeconds: 3600 }));
}
const nc = await connect({ servers: new URL(natsUrl).host });
const subject = `${prefix}weft.ca.rpc.createCertificate`;
let ok = 0;
let failed = 0;
const end = Date.now() + Number(values.seconds) * 1000;
const started = Date.now();
await Promise.all(Array.from({ length: Number(values.concurrency) }, async (_, w) => {
  for (let i = w; Date.now() < end; i += Number(values.concurrency)) {
    const reply = JSON.parse((await nc.request(subject, bodies[i % bodies.length], { timeout: 5000 })).string());
    if (reply.ok) ok++;
    else failed++;
  }
}));
const rate = ok / ((Date.now() - started) / 1000);
console.log(`one replica over NATS, ${values.concurrency} in flight: ${rate.toFixed(0)} certificates/s (${ok} issued, ${failed} refused)`);
await nc.close();
child.kill('SIGTERM');
