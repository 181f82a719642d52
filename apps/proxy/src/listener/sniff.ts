import type { Socket } from 'node:net';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** A connection must say which protocol it speaks within this time (the headers timeout covers the rest). */
export const SNIFF_TIMEOUT_MS = 10_000;

/** First byte of a TLS record carrying a handshake (the ClientHello). */
const TLS_HANDSHAKE = 0x16;

export type SniffedProtocol = 'h2' | 'http1' | 'tls';

/**
 * Reads the first bytes of a connection to tell a TLS ClientHello, HTTP/2 prior knowledge (h2c, gRPC)
 * and HTTP/1.x apart, then puts them back so the chosen server parses the connection from its first byte. A client that
 * sends nothing, or stalls inside the HTTP/2 preface, is disconnected after `timeoutMs`.
 */
export function sniffProtocol(socket: Socket, done: (protocol: SniffedProtocol) => void, timeoutMs = SNIFF_TIMEOUT_MS): void {
  let seen: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  socket.once('close', () => clearTimeout(timer));
  const onData = (chunk: Buffer): void => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, H2_PREFACE.length);
    const isPrefix = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (isPrefix && n < H2_PREFACE.length) return; // need more bytes to decide
    clearTimeout(timer);
    socket.removeListener('data', onData);
    socket.pause();
    socket.unshift(seen);
    done(isPrefix ? 'h2' : seen[0] === TLS_HANDSHAKE ? 'tls' : 'http1');
  };
  socket.on('data', onData);
}
