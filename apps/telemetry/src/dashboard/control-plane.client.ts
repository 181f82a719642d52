import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import {
  caListCertificatesSubject,
  issuedCertificateList,
  pilotProxyStatusSubject,
  proxyListResponse,
  type IssuedCertificateList,
  type RpcReply,
} from '@weft/api';
import { WeftError } from '@weft/shared';

/** `GET /v1/proxies` of pilot, as `weft.pilot.rpc.proxyStatus` answers it. */
export type ProxyListResponse = z.output<typeof proxyListResponse>;

/** Stable codes of what the dashboard relays from the control plane. */
export const DASHBOARD_ERRORS = {
  /** No pilot replica answered `weft.pilot.rpc.proxyStatus` (none running, or too slow), or it failed. */
  pilotUnavailable: 'WEFT_ERR_TELEMETRY_PILOT_UNAVAILABLE',
  /** No CA replica answered `weft.ca.rpc.listCertificates`, or it failed. */
  caUnavailable: 'WEFT_ERR_TELEMETRY_CA_UNAVAILABLE',
  assetNotFound: 'WEFT_ERR_TELEMETRY_ASSET_NOT_FOUND',
} as const;

/** Default wait for a control-plane reply before the dashboard says the app does not answer. */
export const CONTROL_PLANE_TIMEOUT_MS = 3000;

/**
 * Asks pilot and the CA over NATS request/reply (their queue groups: one replica answers, for the
 * whole mesh) for what the dashboard shows besides telemetry's own data. A missing or failing app is
 * an `unavailable` error naming it, which the dashboard shows on the page instead of the table.
 */
export class ControlPlaneClient {
  constructor(
    private readonly nats: NatsConnection,
    private readonly subjectPrefix: string,
    private readonly timeoutMs = CONTROL_PLANE_TIMEOUT_MS,
  ) {}

  proxies(): Promise<ProxyListResponse> {
    return this.request(pilotProxyStatusSubject(this.subjectPrefix), { v: 1 }, proxyListResponse, 'pilot', DASHBOARD_ERRORS.pilotUnavailable);
  }

  certificates(all: boolean): Promise<IssuedCertificateList> {
    return this.request(caListCertificatesSubject(this.subjectPrefix), { all }, issuedCertificateList, 'the CA', DASHBOARD_ERRORS.caUnavailable);
  }

  private async request<S extends z.ZodType>(subject: string, body: unknown, schema: S, who: string, code: string): Promise<z.output<S>> {
    let reply: RpcReply<unknown>;
    try {
      const msg = await this.nats.request(subject, JSON.stringify(body), { timeout: this.timeoutMs });
      reply = msg.json<RpcReply<unknown>>();
    } catch (cause) {
      const why = /no responders/i.test(String((cause as Error)?.message)) ? 'no replica is listening' : `no answer within ${this.timeoutMs} ms`;
      throw new WeftError(code, 'unavailable', `${who} does not answer on NATS ${subject}: ${why}`, { cause });
    }
    if (!reply.ok) throw new WeftError(code, 'unavailable', `${who} answered with an error: ${reply.error.code} ${reply.error.message}`);
    const parsed = schema.safeParse(reply.result);
    if (!parsed.success) throw new WeftError(code, 'unavailable', `${who} answered something that is not the contract`, { cause: parsed.error });
    return parsed.data;
  }
}
