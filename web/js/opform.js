// A form for any operation of the server, built from its row in the OpenAPI document (which the
// server generates from the library's operations table): each body member a field of its type,
// its description as the hint, required ones marked. A page passes labels, choices, units and
// fixed values; everything else (names, types, what is required) is the row's.
import { h } from './dom.js';
import { field, form } from './forms.js';
import * as api from './api.js';
import { words } from './fmt.js';

let doc = null;
async function openapi() {
  if (!doc) doc = await api.get('/api/v1/openapi.json');
  return doc;
}

export async function operation(operationId) {
  const d = await openapi();
  for (const [path, ops] of Object.entries(d.paths))
    for (const [method, op] of Object.entries(ops))
      if (op.operationId === operationId) return { path, method: method.toUpperCase(), op };
  return null;
}

// whether the server has the operation and the user's role may call it
export async function allowed(operationId, role) {
  const o = await operation(operationId);
  return !!o && (!o.op['x-roles'] || o.op['x-roles'].includes(role));
}

function typeOf(p) {
  const t = (p.allOf && p.allOf[0]) || p;
  return t.format === 'date' ? 'date' : t.format === 'date-time' ? 'datetime' : t.type;
}

// opForm(operationId, {me, path: {patient}, labels, options, units, values, hide, order,
//         submit, params: {library name: field}, done(answer, values)}): null when the server lacks it or the role may not
export async function opForm(operationId, o) {
  const found = await operation(operationId);
  if (!found || (found.op['x-roles'] && !found.op['x-roles'].includes(o.me.role))) return null;
  const schema = found.op.requestBody?.content?.['application/json']?.schema || { properties: {} };
  const props = { ...(schema.properties || {}) };
  const req = new Set(schema.required || []);
  // query parameters (a listing's filters) are fields too; path ones come from the page
  for (const q of found.op.parameters || []) {
    if (q.in !== 'query') continue;
    props[q.name] = { allOf: [q.schema || { type: 'string' }], description: q.description };
    if (q.required) req.add(q.name);
  }
  const names = [...(o.order || []), ...Object.keys(props).filter((n) => !(o.order || []).includes(n))]
    .filter((n) => props[n] && !(o.hide || []).includes(n) && !(n in (o.fixed || {})));
  const types = {};
  const fields = names.map((n) => {
    const t = typeOf(props[n]);
    types[n] = t;
    const label = o.labels?.[n] || words(n).replace(/^./, (c) => c.toUpperCase());
    const opts = {
      required: req.has(n), hint: props[n].description, unit: o.units?.[n], value: o.values?.[n],
      autocomplete: n === 'password' ? 'current-password' : n === 'user' ? 'username' : undefined,
      type: n === 'password' ? 'password' : t === 'date' ? 'date' : t === 'datetime' ? 'datetime-local' : t === 'number' ? 'number' : t === 'boolean' ? 'checkbox'
        : t === 'object' || t === 'array' ? 'textarea' : 'text',
      step: t === 'number' ? 'any' : undefined, options: o.options?.[n],
    };
    return field(n, label, opts);
  });
  let url = found.path;
  for (const [k, v] of Object.entries(o.path || {})) url = url.replace(`{${k}}`, encodeURIComponent(v));
  const fm = form(o.key || operationId, fields, o.submit || words(operationId.split('.').pop()), async (v) => {
    const body = { ...(o.fixed || {}) };
    for (const [k, val] of Object.entries(v)) {
      if (!(k in types)) continue;
      if (types[k] === 'boolean') { if (val) body[k] = true; continue; }
      // a local date and time becomes RFC 3339 in UTC, as the API stores times
      if (types[k] === 'datetime') body[k] = new Date(val).toISOString().replace(/\.\d{3}Z$/, 'Z');
      else if (types[k] === 'object' || types[k] === 'array') {
        try { body[k] = JSON.parse(val); } catch { throw new api.Problem({ detail: `expected JSON (${types[k]})`, param: k }); }
      } else body[k] = val;
    }
    const r = found.method === 'GET' ? await api.get(url, body) : await api.post(url, body);
    await o.done(r, v);
  }, o.extra);
  if (o.params) fm.dataset.params = JSON.stringify(o.params);
  return fm;
}
