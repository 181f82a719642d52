import { z } from 'zod';
import { PROXY_CONFIG_TYPES, ruleKindByName, type ProxyConfigType } from '@weft/api';
import { parseOrThrow, WeftError } from '@weft/shared';
import type { RulesInput } from '../rules/rules.service';

/**
 * Turns the URL's path parameters, query and body into service calls, validated once with zod; every
 * problem is a 400 naming the parameter (`dryRun`, `kind`, `documents`).
 */
export type PathParams = Readonly<Record<string, string | undefined>>;
export type QueryParams = Readonly<Record<string, unknown>>;

const INVALID = 'WEFT_ERR_API_INVALID_ARGUMENT';

function invalid(path: string, message: string): WeftError {
  return new WeftError(INVALID, 'invalid-argument', `invalid request: ${path}: ${message}`, { issues: [{ path, message }] });
}

const dryRunQuery = z.object({
  dryRun: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});

export function dryRunOf(query: QueryParams): boolean {
  return parseOrThrow(dryRunQuery, { dryRun: query['dryRun'] }, 'request').dryRun === 'true';
}

/** `vs`, `virtualservices`, `VirtualService` → `VirtualService`; unknown → 400 on `field`. */
export function kindOf(name: string, field: string): string {
  const kind = ruleKindByName(name);
  if (kind === null) throw invalid(field, `unknown rule kind "${name}"`);
  return kind.kind;
}

const REQUEST_SOURCE = 'request';

const documentsBody = z.union([
  z.strictObject({ documents: z.array(z.unknown()).min(1, 'must hold at least one document') }),
  z.strictObject({
    /** One entry per file (`weftctl apply -f DIR`): YAML/JSON text, named in error messages by `source`. */
    files: z
      .array(z.strictObject({ source: z.string().min(1).max(1024), text: z.string() }))
      .min(1, 'must hold at least one file'),
  }),
]);

/**
 * The documents of `POST /v1/rules` and `POST /v1/rules/delete`: YAML text (`Content-Type:
 * application/yaml`), `{documents: [...]}`, `{files: [{source, text}]}`, a JSON array of documents, or
 * one JSON document.
 */
export function rulesInputFrom(body: unknown): RulesInput {
  if (typeof body === 'string') {
    if (body.trim() === '') throw invalid('(body)', 'no documents');
    return [{ source: REQUEST_SOURCE, text: body }];
  }
  if (Array.isArray(body)) return rulesInputFrom({ documents: body });
  if (body === null || typeof body !== 'object') throw invalid('(body)', 'must be YAML text or a JSON object {documents: [...]}');
  if (!('documents' in body) && !('files' in body) && 'kind' in body) return [{ source: REQUEST_SOURCE, objects: [body] }];
  const parsed = parseOrThrow(documentsBody, body, 'request');
  return 'files' in parsed ? parsed.files : [{ source: REQUEST_SOURCE, objects: parsed.documents }];
}

const listQuery = z.object({
  kind: z.string().min(1).optional(),
  namespace: z.string().min(1).max(253).optional(),
});

export function listQueryOf(query: QueryParams): { kind: string | undefined; namespace: string | undefined } {
  const q = parseOrThrow(listQuery, { kind: query['kind'], namespace: query['namespace'] }, 'request');
  return { kind: q.kind === undefined ? undefined : kindOf(q.kind, 'kind'), namespace: q.namespace };
}

/** `Kind/namespace/name` from `/v1/rules/:kind/:namespace/:name`. */
export function ruleKeyOf(params: PathParams): string {
  const kind = kindOf(params['kind'] ?? '', 'kind');
  const namespace = params['namespace'] ?? '';
  const name = params['name'] ?? '';
  if (namespace === '') throw invalid('namespace', 'must not be empty');
  if (name === '') throw invalid('name', 'must not be empty');
  return `${kind}/${namespace}/${name}`;
}

export function proxyConfigTypeOf(type: string | undefined): ProxyConfigType {
  const t = (type ?? '').toLowerCase();
  if ((PROXY_CONFIG_TYPES as readonly string[]).includes(t)) return t as ProxyConfigType;
  throw invalid('type', `must be one of ${PROXY_CONFIG_TYPES.join(', ')}`);
}
