import { z } from 'zod';
import { dns1123Label, exportTo, fail, istioHost, labelMap, matchLabelsSelector, portNumber, unsupported } from './common.schema';
import type { DestinationRule, PortTrafficPolicy, Subset, TrafficPolicy } from './destination-rule.types';
import { clientTls, connectionPool, loadBalancer, outlierDetection } from './traffic-policy.schema';

/** `networking.istio.io` DestinationRule `spec`. */

const blocks = {
  loadBalancer: loadBalancer.optional(),
  connectionPool: connectionPool.optional(),
  outlierDetection: outlierDetection.optional(),
  tls: clientTls.optional(),
};

const portTrafficPolicy = z
  .strictObject({ port: z.strictObject({ number: portNumber }), ...blocks })
  .superRefine((p, ctx) => {
    if (!p.loadBalancer && !p.connectionPool && !p.outlierDetection && !p.tls) {
      fail(ctx, 'port traffic policy must have at least one of loadBalancer, connectionPool, outlierDetection, tls');
    }
  })
  .transform(
    (p): PortTrafficPolicy => ({
      port: p.port.number,
      loadBalancer: p.loadBalancer ?? null,
      connectionPool: p.connectionPool ?? null,
      outlierDetection: p.outlierDetection ?? null,
      tls: p.tls ?? null,
    }),
  );

export const trafficPolicy = z
  .strictObject({
    ...blocks,
    portLevelSettings: z.array(portTrafficPolicy).optional(),
    tunnel: unsupported('tunnel is not supported yet'),
    proxyProtocol: unsupported('proxyProtocol is not supported yet'),
    retryBudget: unsupported('retryBudget is not supported yet'),
  })
  .superRefine((t, ctx) => {
    if (!t.loadBalancer && !t.connectionPool && !t.outlierDetection && !t.tls && (t.portLevelSettings?.length ?? 0) === 0) {
      fail(ctx, 'traffic policy must have at least one field');
    }
  })
  .transform(
    (t): TrafficPolicy => ({
      loadBalancer: t.loadBalancer ?? null,
      connectionPool: t.connectionPool ?? null,
      outlierDetection: t.outlierDetection ?? null,
      tls: t.tls ?? null,
      portLevelSettings: t.portLevelSettings ?? [],
    }),
  );

const subset = z
  .strictObject({
    name: dns1123Label,
    labels: labelMap.optional(),
    trafficPolicy: trafficPolicy.optional(),
  })
  .transform((s): Subset => ({ name: s.name, labels: s.labels ?? {}, trafficPolicy: s.trafficPolicy ?? null }));

export const destinationRuleSpec = z
  .strictObject({
    host: istioHost({ allowStar: true, allowIp: false }),
    trafficPolicy: trafficPolicy.optional(),
    subsets: z.array(subset).optional(),
    exportTo: exportTo({ allowTilde: false }).optional(),
    workloadSelector: matchLabelsSelector.optional(),
  })
  .superRefine((dr, ctx) => {
    const names = (dr.subsets ?? []).map((s) => s.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) fail(ctx, `duplicate subset name ${name}`, ['subsets', i, 'name']);
    });
  })
  .transform(
    (dr): DestinationRule => ({
      host: dr.host,
      trafficPolicy: dr.trafficPolicy ?? null,
      subsets: dr.subsets ?? [],
      exportTo: dr.exportTo ?? ['*'],
      workloadSelector: dr.workloadSelector ?? null,
    }),
  );
