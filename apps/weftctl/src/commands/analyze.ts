import type { AnalysisMessageView } from '@weft/api';
import { EXIT_REJECTED, usageError } from '../errors';
import { json, yamlDocuments } from '../output';
import { COMMON_HELP, outputOpt, stringOpt, type Command } from './command';

const LEVELS = ['Info', 'Warning', 'Error'] as const;
type Level = (typeof LEVELS)[number];

/** `warning`/`WARNING` → `Warning`; unknown levels count as Info. */
function levelOf(level: string): Level {
  const l = level.toLowerCase();
  return LEVELS.find((x) => x.toLowerCase() === l) ?? (l === 'warn' ? 'Warning' : 'Info');
}

function thresholdOpt(value: string | undefined, fallback: Level, flagName: string): Level {
  if (value === undefined) return fallback;
  const found = LEVELS.find((l) => l.toLowerCase() === value.toLowerCase());
  if (found === undefined) throw usageError(`error: --${flagName} must be one of ${LEVELS.join(', ')}`, 'analyze');
  return found;
}

/** `VirtualService/default/reviews` → `VirtualService default/reviews` (istioctl's resource form). */
function resourceOf(document: string): string {
  const m = /^([A-Za-z]+)\/([^/]+)\/(.+)$/.exec(document);
  return m === null ? document : `${m[1]} ${m[2]}/${m[3]}`;
}

function namespaceOf(document: string): string | null {
  const m = /^[A-Za-z]+[ /]([^/]+)\/.+$/.exec(document);
  return m === null ? null : (m[1] ?? null);
}

export function formatMessage(m: AnalysisMessageView): string {
  return `${levelOf(m.level)} [${m.code}] (${resourceOf(m.document)}) ${m.message}`;
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'Report problems in the applied rules (istioctl analyze)',
  help: `Analyze the rules pilot holds and print each finding like istioctl analyze:
  Warning [IST0101] (VirtualService default/reviews) Referenced host+subset in destinationrule not found: "reviews+v4"

Exits 0 when no finding reaches the failure threshold (by default: only warnings and infos), 1 otherwise.

Usage:
  weftctl analyze [-n NAMESPACE] [--failure-threshold Info|Warning|Error] [--output-threshold …] [-o text|json|yaml]

Flags:
  -n, --namespace NS          only findings about rules in this namespace (default: all)
      --failure-threshold L   lowest level that makes the exit code 1 (default Error)
      --output-threshold L    lowest level printed (default Info)
  -o, --output FORMAT         text (default), json or yaml

${COMMON_HELP}`,
  options: {
    namespace: { type: 'string', short: 'n' },
    'failure-threshold': { type: 'string' },
    'output-threshold': { type: 'string' },
    output: { type: 'string', short: 'o' },
  },

  async run(args, ctx) {
    if (args.positionals.length > 0) throw usageError(`error: unexpected argument "${args.positionals[0]}"`, 'analyze');
    const format = outputOpt(args, ['text', 'json', 'yaml'] as const, 'text', 'analyze');
    const fail = LEVELS.indexOf(thresholdOpt(stringOpt(args, 'failure-threshold'), 'Error', 'failure-threshold'));
    const show = LEVELS.indexOf(thresholdOpt(stringOpt(args, 'output-threshold'), 'Info', 'output-threshold'));
    const ns = stringOpt(args, 'namespace');
    const { messages } = await ctx.pilot().analyze();
    const relevant = messages.filter((m) => ns === undefined || namespaceOf(m.document) === ns);
    const shown = relevant.filter((m) => LEVELS.indexOf(levelOf(m.level)) >= show);
    if (format === 'json') ctx.io.out(json(shown));
    else if (format === 'yaml') ctx.io.out(yamlDocuments([shown]));
    else if (shown.length === 0) {
      ctx.io.err(`✔ No validation issues found when analyzing ${ns === undefined ? 'all namespaces' : `namespace: ${ns}`}.`);
    } else for (const m of shown) ctx.io.out(formatMessage(m));
    if (!relevant.some((m) => LEVELS.indexOf(levelOf(m.level)) >= fail)) return 0;
    ctx.io.err(`Error: Analyzers found issues when analyzing ${ns === undefined ? 'all namespaces' : `namespace: ${ns}`}.`);
    return EXIT_REJECTED;
  },
};
