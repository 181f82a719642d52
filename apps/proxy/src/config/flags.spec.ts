import { readFlags } from './flags';

describe('readFlags (xDS flags)', () => {
  it('reads --xds, --xds-protocol, --locality, --labels and the on-demand timeout', () => {
    const f = readFlags(['--xds', 'pilot:15010', '--xds-protocol', 'sotw', '--locality', 'eu/eu-1a', '--labels', 'version=v2,app=reviews', '--on-demand-timeout-ms', '250'], {});
    expect(f).toMatchObject({
      xds: 'pilot:15010',
      'xds-protocol': 'sotw',
      locality: { region: 'eu', zone: 'eu-1a', subZone: '' },
      labels: { version: 'v2', app: 'reviews' },
      'on-demand-timeout-ms': 250,
    });
  });

  it('has defaults: delta, 5 s on-demand deadline, no labels', () => {
    expect(readFlags(['--xds', '127.0.0.1:15010'], {})).toMatchObject({ 'xds-protocol': 'delta', 'on-demand-timeout-ms': 5000, labels: {} });
  });

  it('takes labels as a JSON object, and the environment equivalents', () => {
    expect(readFlags([], { WEFT_PROXY_LABELS: '{"version":"v1"}', WEFT_PROXY_XDS: '[::1]:15010' })).toMatchObject({ labels: { version: 'v1' }, xds: '[::1]:15010' });
    expect(readFlags(['--xds', 'pilot-a:15010, pilot-b:15010'], {})).toMatchObject({ xds: 'pilot-a:15010,pilot-b:15010' });
  });

  it.each([
    [['--xds', 'pilot'], /--xds: expected host:port/],
    [['--xds', 'pilot:15010,'], /--xds/],
    [['--xds-protocol', 'incremental'], /--xds-protocol/],
    [['--locality', 'a/b/c/d'], /--locality: expected region\/zone\/subzone/],
    [['--labels', 'novalue'], /--labels: expected a JSON object/],
    [['--labels', '{"n":1}'], /--labels: expected a JSON object/],
  ])('rejects %j', (argv, message) => {
    expect(() => readFlags(argv, {})).toThrow(message);
  });

  it('telemetry flags: off without --nats; sampling percentages, interval and subject prefix, also from the environment', () => {
    expect(readFlags([], {})).toMatchObject({ nats: undefined, 'telemetry-interval-ms': 1000, 'trace-sampling': 1, 'log-sampling': 1, 'subject-prefix': '' });
    expect(readFlags(['--nats', 'nats://user:pw@nats:4222', '--trace-sampling', '100', '--log-sampling', '0.5', '--telemetry-interval-ms', '250', '--subject-prefix', 'ci1.'], {})).toMatchObject({
      nats: 'nats://user:pw@nats:4222',
      'trace-sampling': 100,
      'log-sampling': 0.5,
      'telemetry-interval-ms': 250,
      'subject-prefix': 'ci1.',
    });
    expect(readFlags([], { WEFT_PROXY_NATS: 'tls://nats:4222', WEFT_PROXY_TRACE_SAMPLING: '10' })).toMatchObject({ nats: 'tls://nats:4222', 'trace-sampling': 10 });
  });

  it.each([
    [['--nats', '127.0.0.1:4222'], /--nats: expected a NATS URL/],
    [['--trace-sampling', '101'], /--trace-sampling/],
    [['--log-sampling', '-1'], /--log-sampling/],
    [['--telemetry-interval-ms', '10'], /--telemetry-interval-ms/],
    [['--subject-prefix', 'ci1'], /--subject-prefix: expected dot-terminated tokens/],
  ])('rejects the telemetry flags %j', (argv, message) => {
    expect(() => readFlags(argv, {})).toThrow(message);
  });
});

describe('readFlags (--xds-tls)', () => {
  it('is off by default; --xds-tls (or WEFT_PROXY_XDS_TLS=true|1) turns it on; --xds-identity must be a SPIFFE ID', () => {
    expect(readFlags(['--xds', '127.0.0.1:15012'], {})['xds-tls']).toBe(false);
    expect(readFlags(['--xds', '127.0.0.1:15012', '--xds-tls'], {})['xds-tls']).toBe(true);
    expect(readFlags([], { WEFT_PROXY_XDS_TLS: '1' })['xds-tls']).toBe(true);
    expect(readFlags([], { WEFT_PROXY_XDS_TLS: 'false' })['xds-tls']).toBe(false);
    expect(() => readFlags([], { WEFT_PROXY_XDS_TLS: 'yes' })).toThrow(/--xds-tls/);
    expect(readFlags(['--xds-identity', 'spiffe://cluster.local/ns/weft-system/sa/weft-pilot'], {})['xds-identity']).toBe('spiffe://cluster.local/ns/weft-system/sa/weft-pilot');
    expect(() => readFlags(['--xds-identity', 'weft-pilot'], {})).toThrow(/--xds-identity: a SPIFFE ID/);
  });
});
