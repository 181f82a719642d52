/* global fetch, sessionStorage */
// Calls telemetry's API on the same origin. When telemetry has a token (WEFT_TELEMETRY_TOKEN), every
// /api/ call needs `authorization: Bearer <token>`: the token the operator typed is kept in this tab's
// sessionStorage and sent on each call; a 401 asks for it (again).

const TOKEN_KEY = 'weft.telemetry.token';

export class AuthRequired extends Error {
  constructor(message) {
    super(message);
    this.name = 'AuthRequired';
  }
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** GET a JSON API path; throws AuthRequired on 401 and ApiError (with the API's error code) otherwise. */
export async function api(path) {
  const t = token();
  const res = await fetch(path, { headers: t ? { authorization: `Bearer ${t}`, accept: 'application/json' } : { accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  if (res.status === 401) throw new AuthRequired(body?.error?.message ?? 'a token is required');
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? res.statusText);
  return body;
}

export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const text = p.toString();
  return text ? `?${text}` : '';
}
