import { credentials, type ClientDuplexStream, type Client } from '@grpc/grpc-js';
import {
  adsDefinition,
  decodeResource,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
  type XdsNode,
} from '@weft/xds';

/** How a stream ended (gRPC status), as the client saw it. */
export interface StreamEnd {
  readonly code: number;
  readonly details: string;
}

/** A response as proto-loader decodes it (empty repeated fields may be absent). */
export type DeltaResponse = Partial<DeltaDiscoveryResponse> & Pick<DeltaDiscoveryResponse, 'type_url' | 'nonce'>;
export type SotwResponse = Partial<DiscoveryResponse> & Pick<DiscoveryResponse, 'type_url' | 'nonce'>;

/** One ADS stream of a test client: send requests, get responses and the end through callbacks. */
export class AdsTestStream<Req, Res> {
  private readonly call: ClientDuplexStream<Req, Res>;

  constructor(call: ClientDuplexStream<Req, Res>, onResponse: (response: Res) => void, onEnd: (end: StreamEnd) => void) {
    this.call = call;
    call.on('data', onResponse);
    call.on('status', (status: StreamEnd) => onEnd({ code: status.code, details: status.details }));
    call.on('error', () => undefined);
  }

  send(request: Req): void {
    this.call.write(request);
  }

  /** Half-closes the stream (the server ends it too). */
  end(): void {
    this.call.end();
  }

  cancel(): void {
    this.call.cancel();
  }
}

/** A raw ADS client over grpc-js built from the same service definition the server serves. */
export class AdsTestClient {
  private readonly client: Client;

  constructor(address: string) {
    const { Client: AdsClient } = adsDefinition();
    this.client = new AdsClient(address, credentials.createInsecure());
  }

  delta(onResponse: (r: DeltaResponse) => void, onEnd: (end: StreamEnd) => void = () => undefined): AdsTestStream<DeltaDiscoveryRequest, DeltaResponse> {
    const call = (this.client as unknown as Record<string, () => ClientDuplexStream<DeltaDiscoveryRequest, DeltaResponse>>)['DeltaAggregatedResources']?.call(this.client);
    if (call === undefined) throw new Error('DeltaAggregatedResources missing from the service definition');
    return new AdsTestStream(call, onResponse, onEnd);
  }

  sotw(onResponse: (r: SotwResponse) => void, onEnd: (end: StreamEnd) => void = () => undefined): AdsTestStream<DiscoveryRequest, SotwResponse> {
    const call = (this.client as unknown as Record<string, () => ClientDuplexStream<DiscoveryRequest, SotwResponse>>)['StreamAggregatedResources']?.call(this.client);
    if (call === undefined) throw new Error('StreamAggregatedResources missing from the service definition');
    return new AdsTestStream(call, onResponse, onEnd);
  }

  close(): void {
    this.client.close();
  }
}

/** A node as a client sends it: Istio-style metadata as Struct string values. */
export function testNode(id: string, userAgent: string, metadata: Record<string, string> = {}): XdsNode {
  const fields: Record<string, { stringValue: string; kind: string }> = {};
  for (const [k, v] of Object.entries(metadata)) fields[k] = { stringValue: v, kind: 'stringValue' };
  return { id, cluster: 'test', user_agent_name: userAgent, metadata: { fields }, locality: { zone: 'z1' } };
}

/** Names of the resources a delta response carries. */
export function deltaNames(response: DeltaResponse): string[] {
  return (response.resources ?? []).map((r) => r.name).sort();
}

export function removedNames(response: DeltaResponse): string[] {
  return [...(response.removed_resources ?? [])].sort();
}

/** Names of the resources a SotW response carries (decoded: `name`, or `cluster_name` for EDS). */
export function sotwNames(response: SotwResponse): string[] {
  return (response.resources ?? [])
    .map((any) => {
      const decoded = decodeResource(any);
      return String(decoded['name'] ?? decoded['cluster_name'] ?? '');
    })
    .sort();
}
