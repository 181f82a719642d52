import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import { createLogger } from '@weft/shared';
import { withDeadline } from '@weft/testing';
import { spiffeId, WorkloadIdentity } from '@weft/x509';
import { adsDefinition, type XdsNode } from '@weft/xds';
import { AdsConnection } from '../../src/xds/ads-connection';
import { XdsTlsCredentials } from '../../src/tls/xds-channel-credentials';
import { TestCa } from './test-ca';

/** --xds-tls: the proxy's ADS connection over mutual TLS to a real grpc-js server, pilot's identity checked. */
const PILOT = spiffeId('cluster.local', 'weft-system', 'weft-pilot');
const PROXY = spiffeId('cluster.local', 'default', 'productpage');
const log = createLogger('xds-tls-test', { level: 'silent' });
const node: XdsNode = { id: 'sidecar~127.0.0.1~productpage.default' } as XdsNode;

describe('XdsTlsCredentials and AdsConnection over mutual TLS', () => {
  const ca = new TestCa('xds-tls test root');
  let server: Server;
  let address = '';
  const clientCerts: string[] = [];

  beforeAll(async () => {
    const pilot = ca.issue(PILOT);
    server = new Server();
    server.addService(adsDefinition().service, {
      DeltaAggregatedResources: (call: ServerDuplexStream<unknown, unknown>) => {
        const peer = (call.getAuthContext().sslPeerCertificate?.subjectaltname ?? '') as string;
        clientCerts.push(peer);
        call.once('data', () => call.write({ type_url: 'type.googleapis.com/envoy.config.cluster.v3.Cluster', nonce: '1', resources: [] }));
        call.on('end', () => call.end());
      },
      StreamAggregatedResources: (call: ServerDuplexStream<unknown, unknown>) => call.end(),
    });
    const creds = ServerCredentials.createSsl(Buffer.from(ca.rootPem), [{ private_key: Buffer.from(pilot.keyPem), cert_chain: Buffer.from(pilot.chainPem) }], true);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (err, p) => (err === null ? resolve(p) : reject(err))));
    address = `127.0.0.1:${port}`;
  });

  afterAll(() => server.forceShutdown());

  it('has no credentials before the first SVID, then one per SVID (a renewal makes new ones)', () => {
    const identity = new WorkloadIdentity();
    const tls = new XdsTlsCredentials(identity, PILOT, log);
    let ready = 0;
    tls.whenReady(() => ready++);
    expect(tls.current()).toBeNull();
    identity.update(ca.issue(PROXY));
    expect(ready).toBe(1);
    const first = tls.current();
    expect(first).not.toBeNull();
    expect(tls.current()).toBe(first);
    identity.update(ca.issue(PROXY));
    expect(tls.current()).not.toBe(first);
  });

  it.each([
    [`URI:${PILOT}`, undefined],
    [`URI:${spiffeId('cluster.local', 'rogue', 'weft-pilot')}`, `xds server identity mismatch: expected ${PILOT}, presented spiffe://cluster.local/ns/rogue/sa/weft-pilot`],
    ['DNS:pilot.example.com', `xds server identity mismatch: expected ${PILOT}, presented no SPIFFE identity`],
  ])('checks the server certificate %s', (subjectaltname, error) => {
    const tls = new XdsTlsCredentials(new WorkloadIdentity(), PILOT, log);
    expect(tls.checkServer({ subjectaltname })?.message).toBe(error);
  });

  /** Opens one ADS stream with `expected` as pilot's identity: the first message, or why the stream closed. */
  function openOnce(identity: WorkloadIdentity, expected: string): Promise<string> {
    return withDeadline(
      new Promise<string>((resolve) => {
        const conn: AdsConnection = new AdsConnection(
          { address, method: 'DeltaAggregatedResources', node, log, security: new XdsTlsCredentials(identity, expected, log), backoffBaseMs: 60_000 },
          {
            onOpen: () => conn.send({ type_url: 'type.googleapis.com/envoy.config.cluster.v3.Cluster', resource_names_subscribe: ['*'] } as never),
            onMessage: () => {
              conn.stop();
              resolve('response');
            },
            onClosed: (reason) => {
              conn.stop();
              resolve(reason);
            },
          },
        );
        conn.start();
      }),
      15_000,
      'the ADS stream',
    );
  }

  it('waits for the first certificate, then connects presenting it', async () => {
    const identity = new WorkloadIdentity();
    const outcome = openOnce(identity, PILOT);
    identity.update(ca.issue(PROXY));
    expect(await outcome).toBe('response');
    expect(clientCerts.at(-1)).toBe(`URI:${PROXY}`);
  });

  it('refuses a server presenting another identity, naming both', async () => {
    const identity = new WorkloadIdentity();
    identity.update(ca.issue(PROXY));
    const other = spiffeId('cluster.local', 'weft-system', 'other-pilot');
    expect(await openOnce(identity, other)).toMatch(`xds server identity mismatch: expected ${other}, presented ${PILOT}`);
  });

  it('a certificate of another CA is refused by the server', async () => {
    const identity = new WorkloadIdentity();
    identity.update(new TestCa('another root').issue(PROXY, { roots: ca.rootPem }));
    expect(await openOnce(identity, PILOT)).not.toBe('response');
  });
});
