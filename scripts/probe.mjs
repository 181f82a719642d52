// Protocol-level probes for NATS, Redis and TCP ports. Each answers
//   { ok: true }                          the server is there and usable,
//   { ok: false, fatal: false, message }  nothing answers (a server may be started there),
//   { ok: false, fatal: true, message }   something answers but cannot be used.
import net from 'node:net';
import tls from 'node:tls';

const PROBE_TIMEOUT_MS = 1500;

/** Host and port of the first server in a NATS/Redis URL (`nats://a:1,nats://b:2`, `host:port`). */
export function endpointOf(url, defaultPort) {
  const first = url.split(',')[0].trim();
  const parsed = new URL(first.includes('://') ? first : `tcp://${first}`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return { host, port: Number(parsed.port || defaultPort), secure: /^(rediss|tls):$/.test(parsed.protocol) };
}

/** Connects, optionally sends `greeting`, and resolves with the first line the server sends. */
function firstLine({ host, port, secure }, greeting) {
  return new Promise((done) => {
    let connected = false;
    let buffer = '';
    const where = `${host}:${port}`;
    const socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: false })
      : net.connect({ host, port });
    const finish = (result) => {
      socket.destroy();
      done(result);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () =>
      finish(connected
        ? { ok: false, fatal: true, message: `${where} accepts connections but sent nothing within ${PROBE_TIMEOUT_MS} ms` }
        : { ok: false, fatal: false, message: `${where} did not answer within ${PROBE_TIMEOUT_MS} ms` }),
    );
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      connected = true;
      if (greeting) socket.write(greeting);
    });
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      const end = buffer.indexOf('\r\n');
      if (end >= 0) finish({ ok: true, line: buffer.slice(0, end) });
    });
    socket.once('error', (err) =>
      finish({ ok: false, fatal: connected, message: `${where}: ${err.code ?? err.message}` }),
    );
    socket.once('close', () => finish({ ok: false, fatal: true, message: `${where} closed the connection without a reply` }));
  });
}

/** NATS sends `INFO {json}` on connect; Weft needs a server started with JetStream (`-js`). */
export async function probeNats(url) {
  const reply = await firstLine(endpointOf(url, 4222), null);
  if (!reply.ok) return reply;
  if (!reply.line.startsWith('INFO ')) {
    return { ok: false, fatal: true, message: `${url} answers but is not a NATS server (sent ${JSON.stringify(reply.line.slice(0, 40))})` };
  }
  let info;
  try {
    info = JSON.parse(reply.line.slice(5));
  } catch {
    return { ok: false, fatal: true, message: `${url} sent an unreadable INFO line` };
  }
  if (info.jetstream !== true) {
    return {
      ok: false,
      fatal: true,
      message: `the NATS server at ${url} (v${info.version}) runs without JetStream, which Weft needs: ` +
        'restart it with -js (e.g. `nats-server -js`), stop it so Weft starts its own, or set NATS_URL to one with JetStream',
    };
  }
  return { ok: true, version: info.version };
}

/** Redis answers PING with +PONG, or -NOAUTH when a password is required (the URL carries it). */
export async function probeRedis(url) {
  const reply = await firstLine(endpointOf(url, 6379), 'PING\r\n');
  if (!reply.ok) return reply;
  if (reply.line === '+PONG' || reply.line.startsWith('-NOAUTH')) return { ok: true };
  return { ok: false, fatal: true, message: `${url} did not answer PING like Redis (sent ${JSON.stringify(reply.line.slice(0, 80))})` };
}

/** True if something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port, host = '127.0.0.1') {
  return new Promise((done) => {
    const socket = net.connect({ host, port });
    const finish = (used) => {
      socket.destroy();
      done(used);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(true));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
