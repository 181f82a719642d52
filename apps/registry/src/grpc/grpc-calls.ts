import type { Metadata, ServerErrorResponse, handleUnaryCall } from '@grpc/grpc-js';
import { checkBearer, type Logger } from '@weft/shared';
import type { RegistryMetrics } from '../registry/registry.metrics';
import { toGrpcError } from './grpc-errors';

/** `write` calls change state and need the bearer token (when one is configured). */
export type Access = 'read' | 'write';

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: ServerErrorResponse };

/**
 * What every gRPC call of the registry does around its work: the bearer check for writes, the
 * WeftError → status mapping, and one count in weft_registry_requests_total{api="grpc"}.
 */
export class GrpcCalls {
  private readonly log: Logger;

  constructor(
    private readonly metrics: RegistryMetrics,
    private readonly token: string | undefined,
    log: Logger,
  ) {
    this.log = log.child({ component: 'grpc' });
  }

  /** A unary handler: decoded request in, response message (or mapped error) out. */
  unary<Req, Res>(method: string, access: Access, work: (req: Req) => Promise<Res>): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      void this.run(method, access, call.metadata, () => work(call.request)).then((r) =>
        r.ok ? callback(null, r.value) : callback(r.error),
      );
    };
  }

  async run<T>(method: string, access: Access, metadata: Metadata, work: () => Promise<T>): Promise<CallResult<T>> {
    try {
      if (access === 'write') checkBearer(this.token, authorizationOf(metadata));
      const value = await work();
      this.metrics.requests.inc({ api: 'grpc', method, outcome: 'ok' });
      return { ok: true, value };
    } catch (err) {
      const mapped = toGrpcError(err);
      this.metrics.requests.inc({ api: 'grpc', method, outcome: mapped.kind });
      if (mapped.kind === 'internal') this.log.error({ err, method }, 'grpc call failed');
      return { ok: false, error: mapped.response };
    }
  }
}

function authorizationOf(metadata: Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  return typeof value === 'string' ? value : undefined;
}
