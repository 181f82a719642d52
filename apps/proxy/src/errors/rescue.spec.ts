import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProxyError } from './proxy-error';
import { rescue } from './rescue';

describe('rescue', () => {
  const tlsCause = 'upstream connect failure: Hostname/IP does not match certificate\'s altnames:\n  URI:spiffe://cluster.local/ns/default/sa/x — ✗';

  it('maps a cause with line breaks and non-ASCII text to a one-line x-weft-error', () => {
    const reply = rescue(new ProxyError('WEFT_ERR_PROXY_CONNECT_FAILURE', 'UF', tlsCause), false);
    expect(reply).toMatchObject({ status: 503, flag: 'UF' });
    expect(reply.reason).toMatch(/^WEFT_ERR_PROXY_CONNECT_FAILURE: upstream connect failure: .* URI:spiffe:\/\/cluster\.local\/ns\/default\/sa\/x$/);
    expect(reply.reason).not.toMatch(/[^\t\x20-\x7e]/);
  });

  it('gives a reply node:http can send as it is (the proxy answers 503 instead of crashing)', async () => {
    const reply = rescue(new ProxyError('WEFT_ERR_PROXY_CONNECT_FAILURE', 'UF', tlsCause), false);
    const server: Server = createServer((_req, res) => {
      res.writeHead(reply.status, { 'x-weft-error': reply.reason ?? '' });
      res.end(reply.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { status, header } = await new Promise<{ status: number; header: unknown }>((resolve, reject) => {
        request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, header: res.headers['x-weft-error'] });
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(503);
      expect(header).toBe(reply.reason);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
