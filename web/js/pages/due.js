// What each site must do between two dates (default: from a week ago to four weeks ahead).
import { h, table, badge } from '../dom.js';
import { field, form } from '../forms.js';
import * as f from '../fmt.js';

export async function render(main, { api, me, query }) {
  main.append(h('h1', {}, 'Due list'));
  const from = query.get('from') || f.addDays(f.today(), -7), to = query.get('to') || f.addDays(f.today(), 28);
  const out = h('div', {});
  const sites = me.sites.includes('*') ? [] : me.sites;
  const show = async (v) => {
    const d = await api.get('/api/v1/due', { from: v.from, to: v.to, site: v.site });
    const bySite = new Map();
    for (const e of d.entries) { if (!bySite.has(e.site)) bySite.set(e.site, []); bySite.get(e.site).push(e); }
    out.replaceChildren(...(bySite.size ? [...bySite.entries()].map(([site, es]) =>
      table(`Site ${site}: ${es.length} entries from ${f.day(d.from)} to ${f.day(d.to)}`, ['patient', 'what', 'kind', 'target', 'window', 'status'],
        es.map((e) => [h('a', { href: `#/patient/${encodeURIComponent(e.patient)}` }, e.patient), e.label, f.words(e.kind), f.time(e.target),
          h('span', {}, f.time(e.earliest), ' – ', f.time(e.latest)), badge(e.status)]))) : [h('p', {}, 'Nothing is due in these dates.')]));
  };
  main.append(form('due', [
    field('from', 'From', { type: 'date', value: from, required: true }),
    field('to', 'To', { type: 'date', value: to, required: true }),
    field('site', 'Site', { options: [['', sites.length ? 'all my sites' : 'all sites'], ...sites.map((s) => [s, s])] }),
  ], 'Show', show), out);
  await show({ from, to });
}
