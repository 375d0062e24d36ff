// Statistics (statisticians, the safety committee): an endpoint's analysis dataset as the server
// derives it from the store (time, event, arm, strata per patient) and the proportion endpoints
// with their exact intervals. The survival estimates (Kaplan-Meier, log-rank, Cox) are drawn
// here once the server answers them: the page never computes its own.
import { h, section, table } from '../dom.js';
import { field, form } from '../forms.js';
import { opForm } from '../opform.js';
import * as f from '../fmt.js';

function rowsOf(doc) {
  if (Array.isArray(doc)) return doc;
  for (const k of ['rows', 'patients', 'dataset', 'records']) if (Array.isArray(doc[k])) return doc[k];
  return [doc];
}
function tableOf(caption, doc) {
  const rows = rowsOf(doc);
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v) => (v == null ? '—' : typeof v === 'object' ? JSON.stringify(v) : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? f.time(v) : String(v));
  return table(caption, cols.map(f.words), rows.map((r) => cols.map((c) => cell(r[c]))), { empty: 'No row.' });
}

export async function render(main, { api, me }) {
  main.append(h('h1', {}, 'Statistics'));
  const ds = h('div', { id: 'dataset' });
  const dataset = form('endpoint', [
    field('endpoint', 'Endpoint', { required: true, value: 'DFS', hint: "the protocol's endpoint id (DFS, OS, ...)" }),
    field('cutoff', 'Cut-off day', { type: 'date' }),
  ], 'Show the dataset', async (v) => {
    const d = await api.get(`/api/v1/endpoints/${encodeURIComponent(v.endpoint)}`, { cutoff: v.cutoff });
    ds.replaceChildren(tableOf(`Analysis dataset of ${v.endpoint}${v.cutoff ? ` cut at ${f.day(v.cutoff)}` : ''}`, d));
  });
  const pr = h('div', { id: 'proportions' });
  const prop = await opForm('analyse.proportion', { me, key: 'proportion', submit: 'Show the proportions', labels: { cutoff: 'Cut-off day' },
    done: (d) => pr.replaceChildren(tableOf('Proportion endpoints by arm (exact intervals)', d)) });
  main.append(section('Endpoint dataset', dataset, ds), prop ? section('Proportions', prop, pr) : null);
}
