import { ruleKindByName, type RulesWriteResponse } from '@weft/api';
import { readSources } from '../documents';
import { usageError } from '../errors';
import { qualifiedName } from '../kinds';
import { COMMON_HELP, flag, listOpt, type Command } from './command';

/** `virtualservice.networking.istio.io/reviews created (dry run)`, one line per document. */
export function printWriteResults(res: RulesWriteResponse, out: (line: string) => void): void {
  const suffix = res.dryRun ? ' (dry run)' : '';
  for (const r of res.results) out(`${qualifiedName(ruleKindByName(r.kind), r.kind, r.name)} ${r.action}${suffix}`);
}

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Create or update rules from files, a directory or stdin (all or nothing)',
  help: `Create or update Istio rules (VirtualService, DestinationRule, ServiceEntry, …) from YAML or JSON.

Every document of every file is validated first; if any is invalid nothing is applied and each problem
is printed with its document, field path and reason.

Usage:
  weftctl apply -f FILE|DIR|- [-f …] [--dry-run]

Flags:
  -f, --filename FILE   file (multi-document YAML or JSON), directory (its .yaml/.yml/.json files,
                        sorted) or - for stdin; repeatable
      --dry-run         validate and report what would change, store nothing

Examples:
  weftctl apply -f samples/bookinfo/networking/virtual-service-reviews-90-10.yaml
  weftctl apply -f demo/rules
  weftctl get vs reviews -o yaml | weftctl apply -f -

${COMMON_HELP}`,
  options: { filename: { type: 'string', short: 'f', multiple: true }, 'dry-run': { type: 'boolean' } },

  async run(args, ctx) {
    const files = listOpt(args, 'filename');
    if (files.length === 0) throw usageError('error: must specify one of -f', 'apply');
    if (args.positionals.length > 0) throw usageError(`error: unexpected argument "${args.positionals[0]}"`, 'apply');
    const docs = await readSources(files, ctx.io);
    const res = await ctx.pilot().applyRules(docs, flag(args, 'dry-run'));
    printWriteResults(res, (line) => ctx.io.out(line));
    return 0;
  },
};
