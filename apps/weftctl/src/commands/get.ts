import type { PilotClient } from '../pilot-client';
import type { RuleKindName, StoredRuleView } from '@weft/api';
import { CliError, usageError } from '../errors';
import { resolveKinds } from '../kinds';
import { json, yamlDocuments } from '../output';
import { COMMON_HELP, flag, outputOpt, stringOpt, type Command } from './command';
import { ruleTable } from './rule-table';

const FORMATS = ['table', 'yaml', 'json'] as const;

async function fetchRules(pilot: PilotClient, kind: RuleKindName, name: string | undefined, ns: string | undefined) {
  if (name === undefined) return (await pilot.listRules(kind.kind, ns)).items;
  try {
    return [await pilot.getRule(kind.kind, ns ?? 'default', name)];
  } catch (err) {
    if (err instanceof CliError && err.httpStatus === 404) return [];
    throw err;
  }
}

function notFound(kinds: readonly RuleKindName[], name: string | undefined, ns: string | undefined): string {
  if (name === undefined) return ns === undefined ? 'No resources found' : `No resources found in ${ns} namespace.`;
  return `Error from server (NotFound): ${kinds.map((k) => `${k.plural}.${k.group}`).join(',')} "${name}" not found`;
}

export const getCommand: Command = {
  name: 'get',
  summary: 'List or show rules',
  help: `Show rules stored in pilot, exactly as they were applied.

Usage:
  weftctl get KIND[,KIND…] [NAME] [-n NAMESPACE | -A] [-o table|yaml|json]

KIND is case-insensitive and may be plural or short: vs, virtualservice(s), dr, destinationrule(s),
se, serviceentry(ies), we, workloadentry(ies), sidecar(s), pa, peerauthentication(s), ap,
authorizationpolicy(ies).

Flags:
  -n, --namespace NS       namespace (default "default")
  -A, --all-namespaces     every namespace
  -o, --output FORMAT      table (default), yaml (re-appliable multi-document YAML) or json

Examples:
  weftctl get vs -A
  weftctl get virtualservice reviews -o yaml
  weftctl get vs,dr -n shop

${COMMON_HELP}`,
  options: {
    namespace: { type: 'string', short: 'n' },
    'all-namespaces': { type: 'boolean', short: 'A' },
    output: { type: 'string', short: 'o' },
  },

  async run(args, ctx) {
    const [kindArg, name, extra] = args.positionals;
    if (kindArg === undefined) throw usageError('error: you must specify the type of resource to get', 'get');
    if (extra !== undefined) throw usageError(`error: unexpected argument "${extra}"`, 'get');
    const format = outputOpt(args, FORMATS, 'table', 'get');
    const all = flag(args, 'all-namespaces') && name === undefined;
    const ns = all ? undefined : (stringOpt(args, 'namespace') ?? 'default');
    const kinds = resolveKinds(kindArg, 'get');
    const found: [RuleKindName, StoredRuleView[]][] = [];
    for (const kind of kinds) found.push([kind, await fetchRules(ctx.pilot(), kind, name, ns)]);
    const rules = found.flatMap(([, r]) => r);
    if (rules.length === 0) {
      if (name !== undefined) throw new CliError(notFound(kinds, name, ns), 1);
      ctx.io.err(notFound(kinds, name, ns));
      return 0;
    }
    if (format === 'yaml') ctx.io.out(yamlDocuments(rules.map((r) => r.document)));
    else if (format === 'json') ctx.io.out(json(rules.length === 1 && name !== undefined ? rules[0]?.document : { apiVersion: 'v1', kind: 'List', items: rules.map((r) => r.document) }));
    else {
      const tables = found.filter(([, r]) => r.length > 0).map(([k, r]) => ruleTable(k, r, all, kinds.length > 1));
      ctx.io.out(tables.join('\n\n'));
    }
    return 0;
  },
};
