import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { loadBootstrap, ProxyConfigError } from '../../src/config';
import { bootstrap, cluster, get, httpListener, startProxy, type RunningProxy } from './harness';

/**
 * TLS origination from files (Istio's DestinationRule SIMPLE / MUTUAL, as pilot translates it): a
 * plaintext client calls the proxy, the proxy speaks TLS to an external HTTPS server with the CA,
 * client certificate and key read from files. Certificates are minted per run with openssl.
 */

const TLS_T = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3';

interface Pki {
  readonly dir: string;
  file(name: string): string;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, a server certificate for api.example.com, a client certificate, and an unrelated CA. */
function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'weft-tls-files-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=external-ca');
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '1', '-subj', '/CN=other-ca');
  for (const [name, san] of [
    ['server', 'subjectAltName=DNS:api.example.com'],
    ['client', 'subjectAltName=URI:spiffe://example.com/client'],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), `${san}\n`);
    openssl(dir, 'req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
  return { dir, file: (name) => join(dir, name) };
}

interface TlsUpstream {
  readonly server: Server;
  readonly port: number;
}

/** An HTTPS server answering with the SNI it saw and the client certificate's subject (if any). */
async function startHttps(pki: Pki, requireClientCert: boolean): Promise<TlsUpstream> {
  const server = createServer(
    {
      key: readFileSync(pki.file('server.key')),
      cert: readFileSync(pki.file('server.pem')),
      ca: readFileSync(pki.file('ca.pem')),
      requestCert: requireClientCert,
      rejectUnauthorized: requireClientCert,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ sni: socket.servername, client: peer?.subject?.CN ?? null, ...(req.headers['x-weft-peer'] === undefined ? {} : { peer: req.headers['x-weft-peer'] }) }));
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

interface TlsFiles {
  readonly ca?: string;
  readonly sans?: readonly string[];
  readonly cert?: string;
  readonly key?: string;
  readonly sni?: string;
}

function fileTls(f: TlsFiles): string {
  const certs = f.cert === undefined ? '' : `
          tls_certificates:
          - certificate_chain: { filename: ${f.cert} }
            private_key: { filename: ${f.key} }`;
  const sans = (f.sans ?? []).map((s) => `{ san_type: ${s.split(':')[0]}, matcher: { exact: "${s.slice(s.indexOf(':') + 1)}" } }`).join(', ');
  const validation = f.ca === undefined ? '' : `
          validation_context:
            trusted_ca: { filename: ${f.ca} }${sans === '' ? '' : `
            match_typed_subject_alt_names: [${sans}]`}`;
  return `
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": ${TLS_T}.UpstreamTlsContext
        sni: ${f.sni ?? 'api.example.com'}
        common_tls_context:${certs === '' && validation === '' ? ' {}' : `${certs}${validation}`}`;
}

const ANY_VHOST = '              [{ name: x, domains: ["*"], routes: [{ match: { prefix: / }, route: { cluster: x } }] }]';

describe('TLS origination from files (DestinationRule SIMPLE / MUTUAL)', () => {
  let pki: Pki;
  let simpleServer: TlsUpstream;
  let mutualServer: TlsUpstream;
  let proxy: RunningProxy;
  const routes: [string, string, number, TlsFiles][] = [];

  beforeAll(async () => {
    pki = makePki();
    simpleServer = await startHttps(pki, false);
    mutualServer = await startHttps(pki, true);
    const ca = pki.file('ca.pem');
    const client = { cert: pki.file('client.pem'), key: pki.file('client.key') };
    routes.push(
      ['simple', 'simple.test', simpleServer.port, { ca, sans: ['DNS:api.example.com'] }],
      ['wrongca', 'wrongca.test', simpleServer.port, { ca: pki.file('other-ca.pem'), sans: ['DNS:api.example.com'] }],
      ['wrongname', 'wrongname.test', simpleServer.port, { ca, sans: ['DNS:other.example.com'] }],
      ['insecure', 'insecure.test', simpleServer.port, {}],
      ['mutual', 'mutual.test', mutualServer.port, { ca, sans: ['DNS:api.example.com'], ...client }],
      ['nocert', 'nocert.test', mutualServer.port, { ca, sans: ['DNS:api.example.com'] }],
    );
    const vhosts = routes.map(([name, host]) => `{ name: ${name}, domains: ["${host}"], routes: [{ match: { prefix: / }, route: { cluster: ${name} } }] }`).join(', ');
    const clusters = routes.map(([name, , port, files]) => cluster(name, [port], fileTls(files))).join('');
    proxy = await startProxy(bootstrap(httpListener('outbound', `              [${vhosts}]`), clusters));
  });

  afterAll(async () => {
    await proxy?.close();
    simpleServer?.server.close();
    mutualServer?.server.close();
    if (pki !== undefined) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('SIMPLE: a plaintext call leaves as TLS with the SNI, the server verified by the CA file and its DNS name', async () => {
    const res = await get(proxy.port('outbound'), '/', { host: 'simple.test' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ sni: 'api.example.com', client: null });
  });

  it('the peer-metadata header (x-weft-peer) never leaves for a destination outside the mesh', async () => {
    const requests: Record<string, string>[] = [{ host: 'simple.test' }, { host: 'simple.test', 'x-weft-peer': 'admin.kube-system' }];
    for (const headers of requests) {
      const res = await get(proxy.port('outbound'), '/', headers);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ sni: 'api.example.com', client: null });
    }
  });

  it('MUTUAL: the client certificate from the files is presented to a server that requires one', async () => {
    const res = await get(proxy.port('outbound'), '/', { host: 'mutual.test' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ sni: 'api.example.com', client: 'client' });
  });

  it('no trusted CA configured (insecureSkipVerify): TLS without verification', async () => {
    const res = await get(proxy.port('outbound'), '/', { host: 'insecure.test' });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a server certificate from another CA', 'wrongca.test', /WEFT_ERR_PROXY_CONNECT_FAILURE: .*TLS handshake with 127\.0\.0\.1:\d+ failed: SELF_SIGNED_CERT_IN_CHAIN/],
    ['a server certificate with another name', 'wrongname.test', /WEFT_ERR_PROXY_CONNECT_FAILURE: .*names DNS:api\.example\.com; expected DNS:other\.example\.com/],
    // TLS 1.3: the client's handshake completes before the server checks for a certificate, so the
    // refusal arrives as the server closing the connection.
    ['SIMPLE to a server that requires a client certificate', 'nocert.test', /WEFT_ERR_PROXY_(CONNECT_FAILURE|UPSTREAM_RESET): /],
  ])('refuses %s: 503 UF, the reason in x-weft-error', async (_case, host, reason) => {
    const res = await get(proxy.port('outbound'), '/', { host });
    expect(res.status).toBe(503);
    expect(res.headers['x-weft-error']).toMatch(reason);
  });

  describe('config rejections name the field', () => {
    const load = (files: TlsFiles): void => {
      loadBootstrap(bootstrap(httpListener('outbound', ANY_VHOST), cluster('x', [1], fileTls(files))), 'files.yaml');
    };
    const issues = (files: TlsFiles): string[] => {
      try {
        load(files);
      } catch (err) {
        if (err instanceof ProxyConfigError) return err.message.split('\n').map((line) => line.replace(/^files\.yaml: /, ''));
        throw err;
      }
      return [];
    };
    const at = 'static_resources.clusters[0].transport_socket.typed_config.common_tls_context';

    it('a CA file that does not exist', () => {
      expect(issues({ ca: '/nonexistent/ca.pem' })).toEqual([`${at}.validation_context.trusted_ca.filename: cannot read /nonexistent/ca.pem: ENOENT`]);
    });

    it('a private key that does not match the certificate', () => {
      expect(issues({ ca: pki.file('ca.pem'), cert: pki.file('client.pem'), key: pki.file('server.key') })).toEqual([
        `${at}.tls_certificates[0].private_key: the private key does not match the certificate chain`,
      ]);
    });

    it('SAN matchers without a trusted CA', () => {
      const yaml = fileTls({ ca: pki.file('ca.pem'), sans: ['DNS:api.example.com'] }).replace(/trusted_ca: \{ filename: [^}]+\}/, 'trusted_ca: null');
      expect(() => loadBootstrap(bootstrap(httpListener('outbound', ANY_VHOST), cluster('x', [1], yaml)), 'files.yaml')).toThrow(
        /trusted_ca: required with match_typed_subject_alt_names/,
      );
    });

    it('an inline private key (key material in a config)', () => {
      const yaml = fileTls({ cert: pki.file('client.pem'), key: pki.file('client.key') }).replace(/private_key: \{ filename: [^}]+\}/, 'private_key: { inline_string: "-----BEGIN PRIVATE KEY-----" }');
      expect(() => loadBootstrap(bootstrap(httpListener('outbound', ANY_VHOST), cluster('x', [1], yaml)), 'files.yaml')).toThrow(
        /tls_certificates\[0\]\.private_key\.inline_string: a file on the proxy's host is required/,
      );
    });
  });
});
