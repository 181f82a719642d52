import { PROXY_CONFIG_TYPES, type ProxyConfigType } from '@weft/api';
import { usageError } from '../errors';
import { json, yamlDocuments } from '../output';
import { COMMON_HELP, outputOpt, type Command } from './command';
import { proxyConfigTable } from './proxy-config-table';

const ALIASES: Readonly<Record<string, ProxyConfigType>> = {
  cluster: 'clusters',
  clusters: 'clusters',
  c: 'clusters',
  listener: 'listeners',
  listeners: 'listeners',
  l: 'listeners',
  route: 'routes',
  routes: 'routes',
  r: 'routes',
  endpoint: 'endpoints',
  endpoints: 'endpoints',
  ep: 'endpoints',
};

export const proxyConfigCommand: Command = {
  name: 'proxy-config',
  summary: 'The xDS config pilot serves one proxy (istioctl proxy-config)',
  help: `Show the clusters, listeners, routes or endpoints pilot holds for a connected proxy: the resources
it subscribed to, as pilot currently generates them.

Usage:
  weftctl proxy-config PROXY ${PROXY_CONFIG_TYPES.join('|')} [-o table|json|yaml]

Flags:
  -o, --output FORMAT   table (default, a summary), json or yaml (the full Envoy v3 resources)

Examples:
  weftctl proxy-config reviews-v1-1 clusters
  weftctl proxy-config productpage-1 routes -o json

${COMMON_HELP}`,
  options: { output: { type: 'string', short: 'o' } },

  async run(args, ctx) {
    // istioctl order is `proxy-config TYPE PROXY`; accept both
    const [a, b, extra] = args.positionals;
    if (a === undefined || b === undefined) throw usageError('error: specify PROXY and a config type', 'proxy-config');
    if (extra !== undefined) throw usageError(`error: unexpected argument "${extra}"`, 'proxy-config');
    const typeFirst = ALIASES[a.toLowerCase()] !== undefined && ALIASES[b.toLowerCase()] === undefined;
    const [proxyId, typeArg] = typeFirst ? [b, a] : [a, b];
    const type = ALIASES[typeArg.toLowerCase()];
    if (type === undefined) {
      throw usageError(`error: unknown config type "${typeArg}" (use ${PROXY_CONFIG_TYPES.join(', ')})`, 'proxy-config');
    }
    const format = outputOpt(args, ['table', 'json', 'yaml'] as const, 'table', 'proxy-config');
    const { resources } = await ctx.pilot().proxyConfig(proxyId, type);
    if (format === 'json') ctx.io.out(json(resources));
    else if (format === 'yaml') ctx.io.out(yamlDocuments([resources]));
    else ctx.io.out(proxyConfigTable(type, resources));
    return 0;
  },
};
