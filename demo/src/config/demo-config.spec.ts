import { readDemoConfig, serviceVars, TRAFFIC_VARS } from './demo-config';

describe('readDemoConfig', () => {
  it('takes defaults, then WEFT_DEMO_* variables, then flags', () => {
    expect(readDemoConfig(serviceVars(9081), [], {})).toMatchObject({ port: 9081, host: '127.0.0.1', version: 'v1', failureRate: 0 });
    const env = { WEFT_DEMO_PORT: '7000', WEFT_DEMO_VERSION: 'v2' };
    expect(readDemoConfig(serviceVars(9081), ['--version', 'v3', '--outbound-url', 'http://127.0.0.1:15301'], env)).toMatchObject({
      port: 7000,
      version: 'v3',
      outboundUrl: 'http://127.0.0.1:15301',
    });
    expect(readDemoConfig(TRAFFIC_VARS, ['--rps', '2.5', '--max-in-flight', '4'], {})).toMatchObject({ rps: 2.5, maxInFlight: 4, reportSeconds: 5 });
  });

  it.each([
    [['--port', 'eighty'], /--port \(WEFT_DEMO_PORT\)/],
    [['--version', '2'], /--version \(WEFT_DEMO_VERSION\): must look like v1/],
    [['--failure-rate', '1.5'], /--failure-rate \(WEFT_DEMO_FAILURE_RATE\)/],
    [['--outbound-url', 'https://127.0.0.1:1'], /--outbound-url \(WEFT_DEMO_OUTBOUND_URL\)/],
  ])('refuses %j, naming the flag and the variable', (argv, message) => {
    expect(() => readDemoConfig(serviceVars(9080), argv, {})).toThrow(message);
  });

  it('refuses an unknown flag', () => {
    expect(() => readDemoConfig(serviceVars(9080), ['--prot', '1'], {})).toThrow(/Unknown option '--prot'/);
  });
});
