import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { sniffProtocol, type SniffedProtocol } from './sniff';

describe('protocol sniffing', () => {
  let server: Server;
  let port: number;
  const results: (SniffedProtocol | 'closed')[] = [];
  const waiters: (() => void)[] = [];
  const settle = (r: SniffedProtocol | 'closed'): void => {
    results.push(r);
    for (const w of waiters.splice(0)) w();
  };

  beforeAll(async () => {
    server = createServer((s: Socket) => {
      let decided = false;
      s.once('close', () => !decided && settle('closed'));
      sniffProtocol(s, (p) => {
        decided = true;
        settle(p);
        s.destroy();
      }, 200);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  async function send(bytes: string): Promise<string> {
    const before = results.length;
    const done = new Promise<void>((r) => waiters.push(r));
    const c = connect(port, '127.0.0.1', () => c.write(bytes));
    c.on('error', () => undefined);
    await done;
    c.destroy();
    return results[before];
  }

  it.each([
    ['GET / HTTP/1.1\r\nhost: a\r\n\r\n', 'http1'],
    ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'h2'],
    ['\x16\x03\x01\x00', 'tls'], // a TLS ClientHello record (PERMISSIVE mTLS tells it from plaintext)
    ['P', 'closed'], // a prefix of the preface that never completes: cut at the timeout
    ['', 'closed'], // says nothing at all
  ])('%j → %s', async (bytes, expected) => {
    expect(await send(bytes)).toBe(expected);
  });
});
