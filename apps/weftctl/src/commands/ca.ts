import { caClientFor } from '../ca-client';
import { usageError } from '../errors';
import { stringOpt, type Command } from './command';
import { CA_HELP, CA_OPTIONS } from './ca-help';

export const caCommand: Command = {
  name: 'ca',
  summary: 'The CA: print the trust bundle (ca root)',
  help: `Print the trust bundle: every active root certificate of the mesh, PEM (what peers verify against).

Usage:
  weftctl ca root > root-cert.pem

${CA_HELP}`,
  options: { ...CA_OPTIONS },

  async run(args, ctx) {
    const [action, extra] = args.positionals;
    if (action !== 'root') throw usageError(`error: ${action === undefined ? 'missing action' : `unknown action "${action}"`} (use: ca root)`, 'ca');
    if (extra !== undefined) throw usageError(`error: unexpected argument "${extra}"`, 'ca');
    ctx.io.out(await caClientFor(ctx.io.env, stringOpt(args, 'ca-url')).trustBundle());
    return 0;
  },
};
