// Listings: every kind of record the role may read, filtered by patient, site and days, as a
// table and as a CSV file made from the same rows.
import { h, section, table } from '../dom.js';
import { opForm, allowed } from '../opform.js';
import { field } from '../forms.js';
import * as f from '../fmt.js';

const KINDS = ['labs', 'aes', 'administrations', 'doses', 'dispensing', 'events', 'assessments', 'questionnaires', 'consents', 'deviations', 'signatures'];

function cell(v) {
  if (v == null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled
const csvField = (s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export async function render(main, { me, query }) {
  main.append(h('h1', {}, 'Listings'));
  const kinds = [];
  for (const k of KINDS) if (await allowed(`list.${k}`, me.role)) kinds.push(k);
  const kind = kinds.includes(query.get('kind')) ? query.get('kind') : kinds[0];
  const pick = field('kind', 'Listing', { options: kinds.map((k) => [k, f.words(k)]), value: kind });
  pick.querySelector('select').addEventListener('change', (e) => { location.hash = `#/listings?kind=${e.target.value}`; });
  const out = h('div', { id: 'listing' });
  const show = (r) => {
    const rows = r.rows || [];
    const cols = [...new Set(rows.flatMap((x) => Object.keys(x)))];
    const csv = [cols.join(','), ...rows.map((x) => cols.map((c) => csvField(cell(x[c]))).join(','))].join('\r\n') + '\r\n';
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    out.replaceChildren(
      h('p', {}, h('a', { href: url, download: `${r.listing}.csv`, id: 'csv' }, `Download ${f.words(r.listing)} as CSV (${f.count(rows.length, 'row')})`)),
      table(`${f.words(r.listing)}: ${f.count(rows.length, 'row')}`, cols.map(f.words),
        rows.map((x) => cols.map((c) => (typeof x[c] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(x[c]) ? f.time(x[c]) : cell(x[c])))), { empty: 'No row matches.' }));
  };
  const filter = await opForm(`list.${kind}`, { me, key: `listing-${kind}`, submit: 'Show', labels: { from: 'From day', to: 'To day' }, done: show });
  main.append(h('div', { class: 'form' }, pick), section('Filters', filter), out);
  filter.requestSubmit();
}
