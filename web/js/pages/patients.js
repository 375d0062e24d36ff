// The user's patients (the server answers only those of the user's sites), with a search.
import { h, table, badge } from '../dom.js';
import * as f from '../fmt.js';

export async function render(main, { api, query }) {
  main.append(h('h1', {}, 'Patients'));
  const { patients } = await api.get('/api/v1/patients');
  const q = h('input', { id: 'search', type: 'search', value: query.get('q') || '', 'aria-controls': 'patient-table' });
  const holder = h('div', { id: 'patient-table' });
  const draw = () => {
    const term = q.value.trim().toLowerCase();
    const rows = patients.filter((p) => !term || p.id.toLowerCase().includes(term) || p.site.toLowerCase() === term)
      .map((p) => [h('a', { href: `#/patient/${encodeURIComponent(p.id)}` }, p.id), p.site, badge(p.state), badge(p.verdict || 'none'),
        f.time(p.screened_on), p.arm ? `arm ${p.arm}` : '—']);
    holder.replaceChildren(table(`${rows.length} of ${patients.length} patients`, ['patient', 'site', 'state', 'verdict', 'screened', 'arm'], rows, { empty: 'No patient matches.' }));
  };
  q.addEventListener('input', draw);
  main.append(h('div', { class: 'field' }, h('label', { for: 'search' }, 'Search by patient id or site'), q), holder);
  draw();
}
