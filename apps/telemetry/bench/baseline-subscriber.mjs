// The bench's baseline: the floor of a telemetry replica's work per report — receive it from NATS in
// the same queue group and JSON.parse it — counting records (sum of edges[].requests). Prints
// `{"msg":"count","records":N}` every 100 ms.
import { connect } from '@nats-io/transport-node';

const url = new URL(process.env.NATS_URL ?? 'nats://127.0.0.1:4222');
const nc = await connect({ servers: `${url.hostname}:${url.port || 4222}` });
let records = 0;
const dec = new TextDecoder();
nc.subscribe(process.env.SUBJECT, {
  queue: 'weft-telemetry',
  callback: (err, msg) => {
    if (err) return;
    const report = JSON.parse(dec.decode(msg.data));
    for (const e of report.edges) records += e.requests;
  },
});
await nc.flush();
console.log(JSON.stringify({ msg: 'ready' }));
setInterval(() => console.log(JSON.stringify({ msg: 'count', records })), 100);
