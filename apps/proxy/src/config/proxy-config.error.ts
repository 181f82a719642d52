import { WeftError, type FieldIssue } from '@weft/shared';

export const PROXY_CONFIG_ERROR_CODE = 'WEFT_ERR_PROXY_CONFIG';

/** At most this many problems are spelled out in the message; all of them stay in `issues`. */
const MAX_LISTED = 20;

/**
 * Bad proxy configuration (bootstrap file or, later, one xDS resource). Carries every problem found
 * (`issues`: field path + reason); `path`/`reason` are the first one. The message has one line per
 * problem: `<source>: <path>: <reason>`.
 */
export class ProxyConfigError extends WeftError {
  /** The file name (bootstrap) or resource description (xDS); '' when unknown. */
  readonly source: string;
  readonly path: string;
  readonly reason: string;

  constructor(source: string, issues: readonly FieldIssue[], options: { cause?: unknown } = {}) {
    const first = issues[0] ?? { path: '(root)', message: 'invalid configuration' };
    super(PROXY_CONFIG_ERROR_CODE, 'invalid-argument', formatIssues(source, issues), {
      cause: options.cause,
      issues,
    });
    this.name = 'ProxyConfigError';
    this.source = source;
    this.path = first.path;
    this.reason = first.message;
  }
}

function formatIssues(source: string, issues: readonly FieldIssue[]): string {
  const prefix = source === '' ? '' : `${source}: `;
  const lines = issues.slice(0, MAX_LISTED).map((i) => `${prefix}${i.path}: ${i.message}`);
  if (issues.length > MAX_LISTED) lines.push(`${prefix}… and ${issues.length - MAX_LISTED} more problems`);
  return lines.length === 0 ? `${prefix}(root): invalid configuration` : lines.join('\n');
}
