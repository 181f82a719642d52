import type { DestinationRule, EffectiveTrafficPolicy, PolicyBlocks, TrafficPolicy } from './destination-rule.types';
import { defaultConnectionPool, defaultLoadBalancer } from './traffic-policy.schema';

/**
 * The traffic policy Istio applies to one (subset, port) of a DestinationRule's host
 * (pilot `util.MergeSubsetTrafficPolicy`):
 *   1. the rule-level policy, replaced wholesale by its `portLevelSettings` entry for the port;
 *   2. the subset's policy overrides block by block, except that a subset `portLevelSettings`
 *      entry for the port replaces all four blocks (a block it leaves out gets its default);
 *   3. what is still unset gets Istio's default (LEAST_REQUEST, unlimited pools, no outlier
 *      detection, no TLS origination).
 * `subset` null (or unknown): the host as a whole. `port` null: no port-level settings apply.
 */
export function resolveTrafficPolicy(rule: DestinationRule, subset: string | null, port: number | null): EffectiveTrafficPolicy {
  const base = atPort(rule.trafficPolicy, port).blocks;
  const subsetPolicy = subset === null ? null : (rule.subsets.find((s) => s.name === subset)?.trafficPolicy ?? null);
  const merged = subsetPolicy === null ? base : overlay(base, atPort(subsetPolicy, port));
  return {
    loadBalancer: merged.loadBalancer ?? defaultLoadBalancer(),
    connectionPool: merged.connectionPool ?? defaultConnectionPool(),
    outlierDetection: merged.outlierDetection,
    tls: merged.tls,
  };
}

const NONE: PolicyBlocks = { loadBalancer: null, connectionPool: null, outlierDetection: null, tls: null };

function atPort(policy: TrafficPolicy | null, port: number | null): { blocks: PolicyBlocks; portLevel: boolean } {
  if (policy === null) return { blocks: NONE, portLevel: false };
  const entry = port === null ? undefined : policy.portLevelSettings.find((p) => p.port === port);
  const source: PolicyBlocks = entry ?? policy;
  return {
    blocks: {
      loadBalancer: source.loadBalancer,
      connectionPool: source.connectionPool,
      outlierDetection: source.outlierDetection,
      tls: source.tls,
    },
    portLevel: entry !== undefined,
  };
}

function overlay(base: PolicyBlocks, top: { blocks: PolicyBlocks; portLevel: boolean }): PolicyBlocks {
  const pick = <K extends keyof PolicyBlocks>(k: K): PolicyBlocks[K] => (top.portLevel || top.blocks[k] !== null ? top.blocks[k] : base[k]);
  return {
    loadBalancer: pick('loadBalancer'),
    connectionPool: pick('connectionPool'),
    outlierDetection: pick('outlierDetection'),
    tls: pick('tls'),
  };
}
