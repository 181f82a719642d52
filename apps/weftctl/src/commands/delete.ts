import { ruleKindByName, type RulesWriteResponse } from '@weft/api';
import { readSources } from '../documents';
import { CliError, EXIT_REJECTED, usageError } from '../errors';
import { qualifiedName, resolveKinds } from '../kinds';
import { COMMON_HELP, flag, listOpt, stringOpt, type Command, type CommandContext } from './command';

function report(res: RulesWriteResponse, ctx: CommandContext, ignoreNotFound: boolean): number {
  const suffix = res.dryRun ? ' (dry run)' : '';
  let missing = 0;
  for (const r of res.results) {
    const kind = ruleKindByName(r.kind);
    if (r.action === 'deleted') {
      ctx.io.out(`${qualifiedName(kind, r.kind, r.name)} deleted${suffix}`);
    } else if (!ignoreNotFound) {
      missing++;
      const what = kind === null ? r.kind.toLowerCase() : `${kind.plural}.${kind.group}`;
      ctx.io.err(`Error from server (NotFound): ${what} "${r.name}" not found in namespace "${r.namespace}"`);
    }
  }
  return missing > 0 ? EXIT_REJECTED : 0;
}

async function deleteByName(args: Parameters<Command['run']>[0], ctx: CommandContext): Promise<RulesWriteResponse> {
  const [kindArg, ...names] = args.positionals;
  if (kindArg === undefined || names.length === 0) {
    throw usageError('error: specify -f FILE or KIND NAME…', 'delete');
  }
  const kinds = resolveKinds(kindArg, 'delete');
  if (kinds.length !== 1 || kinds[0] === undefined) throw usageError('error: delete by name takes exactly one kind', 'delete');
  const ns = stringOpt(args, 'namespace') ?? 'default';
  const results: RulesWriteResponse['results'][number][] = [];
  let last: RulesWriteResponse | null = null;
  for (const name of names) {
    try {
      last = await ctx.pilot().deleteRule(kinds[0].kind, ns, name, flag(args, 'dry-run'));
      results.push(...last.results);
    } catch (err) {
      if (!(err instanceof CliError && err.httpStatus === 404)) throw err;
      results.push({ key: `${kinds[0].kind}/${ns}/${name}`, kind: kinds[0].kind, namespace: ns, name, action: 'not-found', revision: 0 });
    }
  }
  return { revision: last?.revision ?? 0, dryRun: flag(args, 'dry-run'), results };
}

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete rules named in files or by kind and name',
  help: `Delete rules, by the documents in files (only kind, namespace and name are read) or by name.
The documents of one -f call are deleted together, atomically.

Usage:
  weftctl delete -f FILE|DIR|- [--dry-run] [--ignore-not-found]
  weftctl delete KIND NAME… [-n NAMESPACE] [--dry-run] [--ignore-not-found]

Flags:
  -f, --filename FILE     file, directory or - for stdin; repeatable
  -n, --namespace NS      namespace for delete by name (default "default")
      --dry-run           report what would be deleted, delete nothing
      --ignore-not-found  a rule that does not exist is not an error

${COMMON_HELP}`,
  options: {
    filename: { type: 'string', short: 'f', multiple: true },
    namespace: { type: 'string', short: 'n' },
    'dry-run': { type: 'boolean' },
    'ignore-not-found': { type: 'boolean' },
  },

  async run(args, ctx) {
    const files = listOpt(args, 'filename');
    let res: RulesWriteResponse;
    if (files.length > 0) {
      if (args.positionals.length > 0) throw usageError('error: use either -f or KIND NAME, not both', 'delete');
      const docs = await readSources(files, ctx.io);
      res = await ctx.pilot().deleteDocuments(docs, flag(args, 'dry-run'));
    } else {
      res = await deleteByName(args, ctx);
    }
    return report(res, ctx, flag(args, 'ignore-not-found'));
  },
};
