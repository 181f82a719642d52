import type { z } from 'zod';
import { WeftError } from '@weft/shared';

/** One problem in one rule document. */
export interface RuleIssue {
  /** Which document: `canary.yaml#2 VirtualService default/reviews` (#n counts from 1). */
  document: string;
  /** Dotted path with indices: `spec.http[0].route[1].weight`; `(root)` for the document itself. */
  path: string;
  message: string;
}

export const RULES_INVALID = 'WEFT_ERR_RULES_INVALID';

/** A batch of rule documents was rejected as a whole; `issues` lists every problem of every document. */
export class RuleValidationError extends WeftError {
  declare readonly issues: readonly RuleIssue[];
  /** The batch: a file name, `stdin`, or the REST request. */
  readonly source: string;

  constructor(source: string, issues: readonly RuleIssue[]) {
    super(RULES_INVALID, 'invalid-argument', describeIssues(source, issues), { issues });
    this.name = 'RuleValidationError';
    this.source = source;
  }
}

function describeIssues(source: string, issues: readonly RuleIssue[]): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const lines = issues.map((i) => `  ${i.document}: ${i.path}: ${i.message}`);
  return [`invalid rules in ${source} (${count}; nothing was applied):`, ...lines].join('\n');
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `['spec', 'http', 0, 'route']` → `spec.http[0].route`; keys that are not identifiers are quoted. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      out += IDENTIFIER.test(key) ? (out === '' ? key : `.${key}`) : `[${JSON.stringify(key)}]`;
    }
  }
  return out === '' ? '(root)' : out;
}

/**
 * zod issues → path + message, with the wording users of Istio expect: `unknown field "x"` (one
 * issue per field, path included) and `is required`. Parse with `reportInput: true`.
 */
export function zodIssues(error: z.ZodError, prefix: readonly PropertyKey[]): { path: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: `unknown field ${JSON.stringify(key)}` }));
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) return [{ path: formatPath(path), message: 'is required' }];
    if (issue.code === 'invalid_key') return issue.issues.map((inner) => ({ path: formatPath(path), message: `invalid key: ${inner.message}` }));
    return [{ path: formatPath(path), message: issue.message }];
  });
}
