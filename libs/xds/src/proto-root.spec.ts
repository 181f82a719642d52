import { envoyProtoRoot, isEnvoyProtoRootLoaded, lookupMessageType, releaseEnvoyProtoRoot } from './proto-root';

describe('envoyProtoRoot', () => {
  afterEach(() => releaseEnvoyProtoRoot());

  it('is loaded once and shared until released', () => {
    const root = envoyProtoRoot();
    expect(isEnvoyProtoRootLoaded()).toBe(true);
    expect(envoyProtoRoot()).toBe(root);
  });

  it('is reloaded lazily after releaseEnvoyProtoRoot(), and types looked up before stay usable', () => {
    const before = lookupMessageType('envoy.config.cluster.v3.Cluster');
    if (before === null) throw new Error('envoy.config.cluster.v3.Cluster is not in the proto root');
    releaseEnvoyProtoRoot();
    expect(isEnvoyProtoRootLoaded()).toBe(false);

    const bytes = before.encode(before.fromObject({ name: 'svc', connect_timeout: { seconds: 1 } })).finish();
    const decoded = before.toObject(before.decode(bytes), { json: true });
    expect(decoded).toMatchObject({ name: 'svc', connect_timeout: { seconds: expect.anything() } });

    const after = lookupMessageType('envoy.config.cluster.v3.Cluster');
    if (after === null) throw new Error('envoy.config.cluster.v3.Cluster is not in the reloaded proto root');
    expect(isEnvoyProtoRootLoaded()).toBe(true);
    expect(after).not.toBe(before);
    expect(after.toObject(after.decode(bytes), { json: true })).toEqual(decoded);
  });
});
