// Forms: each field has its label and a place for its message. A refused request puts the
// server's message beside the field its problem names (`param`, the library's parameter name)
// and leaves everything typed where it was. When the session ends mid-form, what was typed is
// kept for the tab and put back once the user has signed in again.
import { h } from './dom.js';
import { Problem } from './api.js';

const DRAFTS = 'lutetia.drafts';
let seq = 0;

// field(name, label, {type, value, required, options, hint, step, min, max, unit})
export function field(name, label, o = {}) {
  const id = `f-${name}-${++seq}`;
  const msg = h('p', { class: 'field-error', id: id + '-err', hidden: true });
  const hint = o.hint ? h('p', { class: 'hint', id: id + '-hint' }, o.hint) : null;
  const describedby = [hint && id + '-hint', id + '-err'].filter(Boolean).join(' ');
  let input;
  const common = { id, name, required: o.required, 'aria-describedby': describedby };
  if (o.options) {
    input = h('select', common, o.options.map(([v, t]) => h('option', { value: v, selected: v === o.value }, t)));
  } else if (o.type === 'textarea') {
    input = h('textarea', { ...common, rows: o.rows || 4 }, o.value || '');
  } else if (o.type === 'checkbox') {
    input = h('input', { ...common, type: 'checkbox', checked: !!o.value });
  } else {
    input = h('input', { ...common, type: o.type || 'text', value: o.value ?? '', step: o.step, min: o.min, max: o.max, autocomplete: o.autocomplete || 'off', inputmode: o.inputmode });
  }
  const labelled = h('label', { for: id }, label, o.unit ? h('span', { class: 'unit' }, ` (${o.unit})`) : null);
  return h('div', { class: `field ${o.type === 'checkbox' ? 'check' : ''}`, 'data-field': name },
    o.type === 'checkbox' ? [input, labelled] : [labelled, input], hint, msg);
}

export function values(form, keep) {
  const v = {};
  for (const el of form.elements) {
    if (!el.name || el.type === 'file' || (keep && el.type === 'password')) continue;
    if (el.type === 'checkbox') v[el.name] = el.checked;
    else if (el.value !== '') v[el.name] = el.type === 'number' ? Number(el.value) : el.value;
  }
  return v;
}

export function clearErrors(form) {
  for (const m of form.querySelectorAll('.field-error')) { m.hidden = true; m.textContent = ''; }
  for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
  const top = form.querySelector('.form-error');
  if (top) { top.hidden = true; top.textContent = ''; }
}

// Shows an error beside the field named by the problem (or above the button when none).
export function showError(form, err) {
  const param = err instanceof Problem ? err.param : '';
  // the library's parameter name ("value"); a JSON pointer ("/value") or a command-line
  // spelling that reaches the server ("--value", "--birth-date") names the same field
  let name = param.replace(/^(\/|--)/, '').split(/[/.[]/)[0].replace(/-/g, '_');
  // where the library's name differs from the API's member ("dose_mg" for "dose"), the form
  // says which of its fields it is (opForm's params)
  const aliases = form.dataset.params ? JSON.parse(form.dataset.params) : {};
  if (aliases[name]) name = aliases[name];
  const box = name && form.querySelector(`[data-field="${CSS.escape(name)}"]`);
  if (box) {
    const m = box.querySelector('.field-error');
    m.textContent = err.message;
    m.hidden = false;
    const input = box.querySelector('input,select,textarea');
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  const top = form.querySelector('.form-error');
  top.textContent = err.message;
  top.hidden = false;
  top.focus();
}

// form(key, fields, submitLabel, onsubmit): onsubmit(values, form) may throw a Problem.
export function form(key, fields, submitLabel, onsubmit, extra) {
  const f = h('form', { class: 'form', 'data-draft': key, novalidate: true },
    fields, extra,
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('button', { type: 'submit' }, submitLabel));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(f);
    const missing = [...f.elements].find((el) => el.required && !el.value);
    if (missing) {
      showError(f, new Problem({ detail: 'required', param: missing.name }));
      return;
    }
    const btn = f.querySelector('button[type=submit]');
    btn.disabled = true;
    try { await onsubmit(values(f), f); } catch (e) { if (!e.signedOut) showError(f, e); } finally { btn.disabled = false; }
  });
  return f;
}

// Keeping what was typed when the session ends (see app.js) and putting it back.
export function saveDrafts(route) {
  const drafts = {};
  for (const f of document.querySelectorAll('form[data-draft]')) drafts[f.dataset.draft] = values(f, true);
  sessionStorage.setItem(DRAFTS, JSON.stringify({ route, drafts }));
}
export function restoreDrafts(route) {
  const saved = JSON.parse(sessionStorage.getItem(DRAFTS) || 'null');
  if (!saved || saved.route !== route) return;
  sessionStorage.removeItem(DRAFTS);
  for (const [key, vals] of Object.entries(saved.drafts)) {
    const f = document.querySelector(`form[data-draft="${CSS.escape(key)}"]`);
    if (!f) continue;
    for (const [name, v] of Object.entries(vals)) {
      const el = f.elements.namedItem(name);
      if (!el || el.type === 'file') continue;
      if (el.type === 'checkbox') el.checked = !!v; else el.value = v;
    }
  }
}
export function pendingRoute() {
  const saved = JSON.parse(sessionStorage.getItem(DRAFTS) || 'null');
  return saved && saved.route;
}
