import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import pino from 'pino';
import { SvidManager, WorkloadIdentity, type CaAuth, type CaClient } from '@weft/x509';
import { TestCa } from './test-ca';

/** The SvidManager against an in-process fake of weft-ca's gRPC contract, signing with a per-run test CA. */

const ID = 'spiffe://cluster.local/ns/default/sa/reviews';

/** The CSR's SubjectPublicKeyInfo: CertificationRequest → CertificationRequestInfo → [version, subject, spki]. */
function csrPublicKey(pemText: string): KeyObject {
  const der = Buffer.from(pemText.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const children = (buf: Buffer, at: number): { start: number; end: number }[] => {
    const { header, length } = tlvAt(buf, at);
    const out: { start: number; end: number }[] = [];
    for (let p = at + header; p < at + header + length; ) {
      const c = tlvAt(buf, p);
      out.push({ start: p, end: p + c.header + c.length });
      p += c.header + c.length;
    }
    return out;
  };
  const info = children(der, 0)[0];
  const spki = children(der, info.start)[2];
  return createPublicKey({ key: der.subarray(spki.start, spki.end), format: 'der', type: 'spki' });
}

function tlvAt(buf: Buffer, at: number): { header: number; length: number } {
  const first = buf[at + 1];
  if (first < 0x80) return { header: 2, length: first };
  const n = first & 0x7f;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + buf[at + 2 + i];
  return { header: 2 + n, length };
}

class FakeCa {
  readonly calls: { auth: CaAuth; key: KeyObject; csrDer: Buffer }[] = [];
  failNext = 0;

  constructor(
    private readonly ca: TestCa,
    private readonly lifetimeMs: number,
  ) {}

  createCertificate(csrPem: string, _validity: number, auth: CaAuth): Promise<string[]> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('UNAVAILABLE: CA down'));
    }
    const key = csrPublicKey(csrPem);
    const csrDer = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    this.calls.push({ auth, key, csrDer });
    return Promise.resolve([this.ca.sign(key, ID, this.lifetimeMs), this.ca.rootPem]);
  }

  trustBundle(): Promise<string[]> {
    return Promise.resolve([this.ca.rootPem]);
  }

  closed = false;

  close(): void {
    this.closed = true;
  }
}

function manager(fake: FakeCa, identity: WorkloadIdentity): SvidManager {
  return new SvidManager(identity, {
    ca: fake as unknown as CaClient,
    token: () => 'bootstrap-token\n',
    trustDomain: 'cluster.local',
    namespace: 'default',
    serviceAccount: 'reviews',
    validitySeconds: 0,
    renewAt: 0.5,
    log: pino({ level: process.env['WEFT_TEST_LOG_LEVEL'] ?? 'silent' }),
  });
}

function renewals(identity: WorkloadIdentity, n: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const off = identity.onChange(() => {
      if (++seen < n) return;
      off();
      resolve();
    });
  });
}

describe('SvidManager', () => {
  it('first certificate by token, then renewals at half life with a new key and proof of possession of the current one', async () => {
    const fake = new FakeCa(new TestCa('svid-root'), 2_200); // notBefore is backdated 60 s: the CA's clock, not ours
    const identity = new WorkloadIdentity();
    const svid = manager(fake, identity);
    try {
      const twoRenewals = renewals(identity, 3);
      await svid.start();
      expect(identity.ready).toBe(true);
      expect(identity.spiffeId).toBe(ID);
      expect(fake.calls[0].auth).toEqual({ kind: 'token', token: 'bootstrap-token' });
      await twoRenewals;
      for (let i = 1; i < 3; i++) {
        const { auth, key, csrDer } = fake.calls[i];
        expect(auth.kind).toBe('proof');
        if (auth.kind !== 'proof') continue;
        // The proof is the new CSR signed by the PREVIOUS key; the chain is the previous certificate.
        expect(verify('sha256', csrDer, fake.calls[i - 1].key, auth.proof)).toBe(true);
        expect(verify('sha256', csrDer, key, auth.proof)).toBe(false);
        expect(auth.chainPem).toContain('BEGIN CERTIFICATE');
        expect(key.export({ type: 'spki', format: 'der' }).equals(fake.calls[i - 1].key.export({ type: 'spki', format: 'der' }))).toBe(false);
      }
    } finally {
      svid.stop();
    }
  });

  it('keeps retrying while the CA is unavailable; ready only once a certificate arrives', async () => {
    const fake = new FakeCa(new TestCa('svid-root-2'), 3_600_000);
    fake.failNext = 2;
    const identity = new WorkloadIdentity();
    const svid = manager(fake, identity);
    try {
      const started = svid.start();
      expect(identity.ready).toBe(false);
      await started;
      expect(identity.ready).toBe(true);
      expect(fake.calls).toHaveLength(1);
      expect(fake.calls[0].auth.kind).toBe('token');
    } finally {
      svid.stop();
    }
    expect(fake.closed).toBe(true);
  });
});
