import { z } from 'zod';
import { fail, labelMap } from './common.schema';

/** `security.istio.io` PeerAuthentication `spec` (istio/api security/v1beta1/peer_authentication.proto). */

export const MTLS_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;
/** UNSET inherits from the parent policy (workload → namespace → root namespace); with no parent, PERMISSIVE. */
export type MtlsMode = (typeof MTLS_MODES)[number];

export interface PeerAuthenticationMtls {
  mode: MtlsMode;
}

export interface PeerAuthentication {
  /** `selector.matchLabels`; null = every workload of the namespace (of the mesh in the root namespace). */
  selector: { matchLabels: Record<string, string> } | null;
  /** null = not set (same as `{mode: UNSET}`). */
  mtls: PeerAuthenticationMtls | null;
  /** Workload port → mode; only with a selector (Istio's rule). Keys are port numbers. */
  portLevelMtls: Record<number, PeerAuthenticationMtls>;
}

const modeName = z.string().transform((m, ctx): MtlsMode => {
  if ((MTLS_MODES as readonly string[]).includes(m)) return m as MtlsMode;
  ctx.issues.push({ code: 'custom', input: m, message: `unknown mTLS mode ${JSON.stringify(m)}: use one of ${MTLS_MODES.join(', ')}` });
  return z.NEVER;
});

/** `{mode}`; `{}` is `{mode: UNSET}` (the enum's zero value). */
const mutualTls = z.strictObject({ mode: modeName.optional() }).transform((m): PeerAuthenticationMtls => ({ mode: m.mode ?? 'UNSET' }));

/** Protobuf JSON map keys are strings: "8080" → 8080. */
const PORT_KEY = /^[1-9][0-9]{0,4}$/;

const portLevelMtls = z.record(z.string(), mutualTls).transform((byPort, ctx): Record<number, PeerAuthenticationMtls> => {
  const out: Record<number, PeerAuthenticationMtls> = {};
  for (const [key, mtls] of Object.entries(byPort)) {
    const port = Number(key);
    if (!PORT_KEY.test(key) || port > 65535) {
      ctx.issues.push({ code: 'custom', input: key, path: [key], message: `port ${JSON.stringify(key)} must be a number in the range 1..65535` });
      continue;
    }
    out[port] = mtls;
  }
  return out;
});

const selector = z.strictObject({ matchLabels: labelMap.default({}) });

export const peerAuthenticationSpec = z
  .strictObject({
    selector: selector.optional(),
    mtls: mutualTls.optional(),
    portLevelMtls: portLevelMtls.optional(),
  })
  .superRefine((pa, ctx) => {
    const ports = Object.keys(pa.portLevelMtls ?? {}).length;
    if (ports > 0 && Object.keys(pa.selector?.matchLabels ?? {}).length === 0) {
      fail(ctx, 'portLevelMtls requires a workload selector (selector.matchLabels)', ['portLevelMtls']);
    }
  })
  .transform(
    (pa): PeerAuthentication => ({
      selector: pa.selector === undefined || Object.keys(pa.selector.matchLabels).length === 0 ? null : { matchLabels: pa.selector.matchLabels },
      mtls: pa.mtls ?? null,
      portLevelMtls: pa.portLevelMtls ?? {},
    }),
  );
