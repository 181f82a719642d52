import type { HttpDirectResponse, HttpRedirect } from '@weft/api';

const REDIRECT_CODES: Readonly<Record<number, string>> = {
  301: 'MOVED_PERMANENTLY',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

/** HTTPRedirect → envoy.config.route.v3.RedirectAction. */
export function redirect(r: HttpRedirect): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.uri !== null) out.path_redirect = r.uri;
  else if (r.prefixRewrite !== null) out.prefix_rewrite = r.prefixRewrite;
  if (r.authority !== null) out.host_redirect = r.authority;
  if (r.port !== null) out.port_redirect = r.port;
  if (r.scheme !== null) out.scheme_redirect = r.scheme;
  out.response_code = REDIRECT_CODES[r.redirectCode] ?? 'MOVED_PERMANENTLY';
  return out;
}

/** HTTPDirectResponse → envoy.config.route.v3.DirectResponseAction (bytes bodies decoded to text). */
export function directResponse(d: HttpDirectResponse): Record<string, unknown> {
  const out: Record<string, unknown> = { status: d.status };
  if (d.body !== null) {
    const text = d.body.kind === 'bytes' ? Buffer.from(d.body.value, 'base64').toString('utf8') : d.body.value;
    out.body = { inline_string: text };
  }
  return out;
}
