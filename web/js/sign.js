// Electronic signatures (21 CFR Part 11, docs/part11.md) on the page: one form for every act
// the server signs (the confirmation, a dose decision, an adverse event's seriousness and
// causality, the casebook sign-off, the data lock), each asking for the password again, the
// user name on the session's first signature and the meaning; and one way to show a signature:
// who (full name and user name), when (UTC), with which meaning, and whether it is still valid
// or was invalidated by a later correction of what it signed.
import { h, badge } from './dom.js';
import { opForm } from './opform.js';
import * as f from './fmt.js';

const MEANINGS = ['review', 'approval', 'responsibility', 'authorship'];

// the signatures the user may read ([] from a server without the route, or for a role that
// may not list them); the list answers every act, the page picks
export async function signatures(ctx, query) {
  if (!(await ctx.api.has('signatures.list'))) return [];
  const l = await ctx.api.get('/api/v1/signatures', query);
  return Array.isArray(l) ? l : l.signatures || [];
}

// the signatures of one record (kind and id as the casebook names them), newest last
export const of = (sigs, id) => sigs.filter((x) => x.record && x.record.id === id);

// the state of a record's signature, for a table cell: the newest one decides
export function status(sigs, id) {
  const mine = of(sigs, id);
  if (!mine.length) return badge('not signed', 'planned');
  const last = mine[mine.length - 1];
  return h('span', { class: 'sig-status', 'data-record': id }, badge(last.status, last.status === 'valid' ? 'ok' : 'dev'),
    ` ${last.full_name}, `, f.utc(last.signed_at));
}

export function line(x) {
  return h('p', { class: 'signature', 'data-id': x.id, 'data-status': x.status },
    badge(x.status, x.status === 'valid' ? 'ok' : 'dev'),
    ` Signed by ${x.full_name} (${x.signer}), `, f.utc(x.signed_at), `, meaning ${x.meaning}`,
    x.status === 'valid' ? '' : ': what it signed was changed since; it needs signing again.');
}

// signForm(operationId, ctx, {key, submit, path, records: [[id, label]], defaultMeaning, done})
// null when the server lacks the act or the role may not sign it
export async function signForm(operationId, ctx, o) {
  const options = {
    meaning: [['', `${o.defaultMeaning || 'approval'} (default)`], ...MEANINGS.map((m) => [m, m])],
  };
  if (o.records) options.record = o.records;
  return opForm(operationId, {
    me: ctx.me, path: o.path, key: o.key, submit: o.submit,
    order: ['record', 'user', 'password', 'meaning', 'comment'],
    labels: { record: o.recordLabel || 'Record', user: 'User name (first signature of this sign-in)' },
    options,
    done: (r) => o.done(r, `Signed: ${r.full_name} (${r.signer}, ${f.words(r.role)}), ${r.signed_at} UTC, meaning ${r.meaning}: ${r.statement}`),
  });
}

// The data lock before analysis: who locked and when, or the form (admin, blinded statistician;
// the server's row decides). After it the store refuses every change of the data, so the form
// says so above the button.
export async function lockSection(ctx, done) {
  const sigs = (await signatures(ctx)).filter((x) => x.act === 'lock');
  const frm = sigs.length ? null : await signForm('signatures.lock', ctx, { key: 'sign-lock', submit: 'Sign the data lock', done });
  if (!sigs.length && !frm) return null;
  const id = 'sec-data-lock';
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, 'Data lock'),
    sigs.length ? h('div', { id: 'lock-state' }, h('p', {}, 'The data are locked for analysis: no record, site or signature can be added or changed.'), sigs.map(line))
      : h('div', { id: 'lock-state' }, h('p', { class: 'notice' }, 'Not locked. Signing the lock is final: from then on the store refuses every change of the data (records, sites, signatures); a correction needs a new database version under the sponsor\'s procedure.'),
        h('details', {}, h('summary', {}, 'Sign the data lock'), frm)));
}
