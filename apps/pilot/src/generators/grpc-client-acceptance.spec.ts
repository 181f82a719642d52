import { register } from '@grpc/grpc-js-xds';
import { ClusterResourceType } from '@grpc/grpc-js-xds/build/src/xds-resource-type/cluster-resource-type';
import { EndpointResourceType } from '@grpc/grpc-js-xds/build/src/xds-resource-type/endpoint-resource-type';
import { ListenerResourceType } from '@grpc/grpc-js-xds/build/src/xds-resource-type/listener-resource-type';
import { RouteConfigurationResourceType } from '@grpc/grpc-js-xds/build/src/xds-resource-type/route-config-resource-type';
import type { XdsDecodeContext, XdsResourceType } from '@grpc/grpc-js-xds/build/src/xds-resource-type/xds-resource-type';
import { TYPE_URL, type TypeUrl } from '@weft/xds';
import { instance, proxyNode, rules, service } from '../model/mesh-fixtures.spec-helper';
import { MeshModel } from '../model/mesh-model';

/**
 * The resources pilot generates for a proxyless gRPC client go through @grpc/grpc-js-xds's own
 * resource validation (the exact code that ACKs or NACKs them in a client). The deep imports follow
 * the package's build layout: the version is pinned in package.json (1.14.1).
 */
register(); // registers the HTTP filters (router, fault) the listener validation looks up

const CONTEXT = { server: { serverUri: 'pilot:15010', channelCredentials: { type: 'insecure' }, serverFeatures: [] } } as unknown as XdsDecodeContext;

const RULES = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo}
spec:
  host: echo
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 3}
    connectionPool: {http: {http2MaxRequests: 100}}
  subsets:
  - {name: v1, labels: {version: v1}}
  - name: v2
    labels: {version: v2}
    trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user, maglev: {tableSize: 65537}}}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: echo}
spec:
  hosts: [echo]
  http:
  - match: [{uri: {prefix: /echo.Echo/Slow}, headers: {x-debug: {regex: "on|yes"}}}]
    fault: {delay: {fixedDelay: 1s, percentage: {value: 50}}, abort: {grpcStatus: UNAVAILABLE, percentage: {value: 10}}}
    timeout: 2s
    retries: {attempts: 3, retryOn: "unavailable,5xx"}
    route: [{destination: {host: echo, subset: v2}}]
  - match: [{uri: {prefix: /old}}]
    redirect: {uri: /new}
  - route:
    - {destination: {host: echo, subset: v1}, weight: 90}
    - {destination: {host: echo, subset: v2}, weight: 10}
    mirror: {host: echo, subset: v1}
`;

describe('grpc-js-xds accepts every resource pilot generates for a gRPC client', () => {
  const model = new MeshModel();
  const echo = service('default', 'echo', [['grpc', 50051, 'grpc']]);
  model.replaceServices([
    {
      service: echo,
      instances: [
        instance(echo, 'a', '10.0.0.1', { labels: { version: 'v1' }, locality: 'eu/z1' }),
        instance(echo, 'b', '10.0.0.2', { labels: { version: 'v2' } }),
        instance(echo, 'c', 'echo-c.vm.internal', { labels: { version: 'v2' } }),
      ],
    },
  ]);
  model.replaceRules(rules(RULES));
  const node = proxyNode('grpc', { appPort: null });
  const cluster = (s: string) => `outbound|50051|${s}|echo.default.svc.cluster.local`;

  it.each<[TypeUrl, string, XdsResourceType]>([
    [TYPE_URL.listener, 'echo:50051', ListenerResourceType.get()],
    [TYPE_URL.listener, 'echo.default.svc.cluster.local:50051', ListenerResourceType.get()],
    [TYPE_URL.routeConfiguration, 'echo:50051', RouteConfigurationResourceType.get()],
    ...['', 'v1', 'v2'].map((s): [TypeUrl, string, XdsResourceType] => [TYPE_URL.cluster, cluster(s), ClusterResourceType.get()]),
    ...['', 'v1', 'v2'].map((s): [TypeUrl, string, XdsResourceType] => [TYPE_URL.clusterLoadAssignment, cluster(s), EndpointResourceType.get()]),
  ])('%s %s', (typeUrl, name, type) => {
    const resource = model.provider.resource(typeUrl, node, name);
    if (resource === null) throw new Error(`no ${typeUrl} ${name}`);
    const result = type.decode(CONTEXT, { type_url: resource.any.type_url, value: resource.any.value });
    expect(result.error).toBeUndefined();
    expect(result.name).toBe(name);
  });

  it('the check is not vacuous: LEAST_REQUEST (what sidecars get) is rejected', () => {
    const sidecarCluster = model.provider.resource(TYPE_URL.cluster, proxyNode('weft'), cluster('v1'));
    if (sidecarCluster === null) throw new Error('no sidecar cluster');
    const result = ClusterResourceType.get().decode(CONTEXT, { type_url: sidecarCluster.any.type_url, value: sidecarCluster.any.value });
    expect(result.error).toMatch(/lb_policy/);
  });
});
