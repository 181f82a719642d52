import type { z } from 'zod';
import { WeftError, type FieldIssue } from './errors';

/** Flattens zod issues into `path: message` pairs that name the field. */
export function fieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    return { path: path === '' ? '(root)' : path, message: issue.message };
  });
}

/**
 * Validates untrusted input once, at the edge. Throws a WeftError (invalid-argument) whose message
 * names every offending field; returns the parsed, typed value otherwise.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
  code = 'WEFT_ERR_API_INVALID_ARGUMENT',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = fieldIssues(result.error);
  const detail = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new WeftError(code, 'invalid-argument', `invalid ${what}: ${detail}`, { issues, cause: result.error });
}
