// The JSON API of lutetia serve (docs/server.md): the session cookie is HttpOnly and set by the
// server; the CSRF token that sign-in returns is kept for the tab (sessionStorage) and sent with
// every change. Errors are RFC 9457 problems; a 401 means the session ended.

const TOKEN = 'lutetia.csrf';

export class Problem extends Error {
  constructor(p) {
    super(p.detail || p.title || 'request failed');
    this.status = p.status;
    this.title = p.title;
    this.param = p.param || '';
  }
}

let onSignedOut = () => {};
export function whenSignedOut(f) { onSignedOut = f; }

export function csrf() { return sessionStorage.getItem(TOKEN); }

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf()) headers['X-CSRF-Token'] = csrf();
  const r = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let doc = null;
  try { doc = text ? JSON.parse(text) : null; } catch { doc = { detail: text }; }
  if (r.ok) return doc;
  const p = new Problem({ status: r.status, ...(doc || {}) });
  if (r.status === 401 && path !== '/api/v1/session') {
    sessionStorage.removeItem(TOKEN);
    p.signedOut = true;
    onSignedOut(p);
  }
  throw p;
}

export const get = (path, query) => {
  const q = query ? '?' + new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v != null)) : '';
  return call('GET', path + q);
};
export const post = (path, body) => call('POST', path, body ?? {});
export const put = (path, body) => call('PUT', path, body ?? {});
export const del = (path, body) => call('DELETE', path, body);

export async function signIn(user, password, totp) {
  const s = await call('POST', '/api/v1/session', totp ? { user, password, totp } : { user, password });
  sessionStorage.setItem(TOKEN, s.csrf_token);
  return s;
}

export async function signOut() {
  try { await call('DELETE', '/api/v1/session'); } finally { sessionStorage.removeItem(TOKEN); }
}

// The routes the server has (its OpenAPI document), so that a page for an operation another
// version adds appears only where the server offers it.
let routes = null;
export async function has(operationId) {
  if (!routes) {
    routes = new Set();
    const doc = await call('GET', '/api/v1/openapi.json');
    for (const ops of Object.values(doc.paths || {}))
      for (const op of Object.values(ops)) if (op.operationId) routes.add(op.operationId);
  }
  return routes.has(operationId);
}
export async function operation(operationId) {
  const doc = await call('GET', '/api/v1/openapi.json');
  for (const [path, ops] of Object.entries(doc.paths || {}))
    for (const [method, op] of Object.entries(ops))
      if (op.operationId === operationId) return { path, method: method.toUpperCase(), op };
  return null;
}
