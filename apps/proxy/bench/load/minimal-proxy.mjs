#!/usr/bin/env node
// The floor for a Node proxy's memory: the smallest node:http forwarding proxy (keep-alive agent, no
// routing, no metrics, no log), for rss.bench.mjs to measure beside Weft at the same rate.
//   node minimal-proxy.mjs PORT UPSTREAM_PORT
import http from 'node:http';

const [port, upstreamPort] = process.argv.slice(2).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
http
  .createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port: upstreamPort, path: req.url, method: req.method, headers: req.headers, agent }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  })
  .listen(port, '127.0.0.1');
