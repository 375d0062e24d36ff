// The trial at a glance for the user's sites: enrolment by site and arm over time, the CONSORT
// flow, what is overdue and what is due this week.
import { h, section, table, badge } from '../dom.js';
import { steps } from '../plot.js';
import * as f from '../fmt.js';

export async function render(main, { api, me }) {
  main.append(h('h1', {}, 'Dashboard'));
  const week = f.addDays(f.today(), 7);
  const [pl, due] = await Promise.all([
    api.get('/api/v1/patients'),
    api.get('/api/v1/due', { from: f.addDays(f.today(), -365), to: week }).catch(() => null),
  ]);
  main.append(enrolment(pl.patients), consort(pl.flow));
  if (due) main.append(dueSoon(due.entries || []));
}

function enrolment(patients) {
  // cumulative allocations (randomisation day) per site and arm
  const groups = new Map();
  for (const p of patients) {
    if (!p.randomised_on) continue;
    const k = `${p.site} · arm ${p.arm ?? 'concealed'}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(p.randomised_on);
  }
  const all = [...groups.values()].flat().sort();
  if (!all.length) return section('Enrolment over time', h('p', {}, 'No patient has been allocated yet.'));
  const t0 = Date.parse(all[0] + 'T00:00:00Z') / 864e5;
  const series = [...groups.entries()].sort().map(([name, days]) => {
    days.sort();
    const pts = [[0, 0]];
    days.forEach((d, i) => pts.push([Date.parse(d + 'T00:00:00Z') / 864e5 - t0, i + 1]));
    return { name: `${name} (${f.count(days.length, 'patient')})`, points: pts };
  });
  const iso = (x) => new Date((t0 + x) * 864e5).toISOString().slice(0, 10);
  const rows = [...groups.entries()].sort().map(([k, d]) => [k, f.count(d.length, 'patient'), f.time(d.sort()[0]), f.time(d[d.length - 1])]);
  return section('Enrolment over time',
    steps('Patients allocated, cumulative, by site and arm', series, {
      id: 'enrol', extend: true, integer: true, xfmt: (x) => f.day(iso(Math.round(x))), yfmt: (y) => Math.round(y * 10) / 10,
      xlabel: 'day of allocation', ylabel: 'patients',
    }),
    table('Allocations by site and arm', ['site and arm', 'allocated', 'first', 'latest'], rows));
}

function box(label, n, note) {
  return h('div', { class: 'cbox' }, h('strong', {}, f.count(n, 'patient')), h('span', {}, label), note ? h('small', {}, note) : null);
}
function consort(fl) {
  const verdicts = Object.entries(fl.verdicts || {}).map(([k, v]) => `${f.words(k)}: ${v}`).join(', ');
  const failed = Object.entries(fl.failed_criteria || {}).map(([k, v]) => `${k} (${v})`).join(', ');
  const unknown = Object.entries(fl.unknown_criteria || {}).map(([k, v]) => `${k} (${v})`).join(', ');
  const arms = Object.entries(fl.arms || {});
  const ended = Object.entries(fl.ended || {}).map(([k, v]) => `${f.words(k)}: ${v}`).join(', ');
  return section('CONSORT flow',
    h('div', { class: 'consort', role: 'list', 'aria-label': 'CONSORT flow, top to bottom' },
      h('div', { role: 'listitem' }, box('screened', fl.screened, verdicts)),
      h('div', { role: 'listitem', class: 'side' },
        failed ? h('p', {}, 'Criteria not met: ', failed) : null,
        unknown ? h('p', {}, 'Criteria unknown: ', unknown) : null),
      h('div', { role: 'listitem' }, box('consented', fl.consented)),
      h('div', { role: 'listitem' }, box('eligibility confirmed', fl.confirmed)),
      h('div', { role: 'listitem' }, box('allocated', fl.allocated)),
      h('div', { role: 'listitem', class: 'arms' }, arms.length ? arms.map(([a, n]) => box(`arm ${a}`, n)) : h('p', {}, 'No allocation yet.')),
      ended ? h('div', { role: 'listitem' }, h('p', {}, 'Ended: ', ended)) : null));
}

function dueSoon(entries) {
  const week = f.addDays(f.today(), 7);
  const overdue = entries.filter((e) => e.status === 'overdue');
  const soon = entries.filter((e) => e.status !== 'overdue' && e.target >= f.today() && e.target <= week);
  const row = (e) => [h('a', { href: `#/patient/${encodeURIComponent(e.patient)}` }, e.patient), e.site, e.label, f.time(e.target), h('span', {}, f.time(e.earliest), ' – ', f.time(e.latest)), badge(e.status)];
  const head = ['patient', 'site', 'what', 'target', 'window', 'status'];
  return section('Overdue and due this week',
    table(`Overdue (${overdue.length})`, head, overdue.map(row), { empty: 'Nothing overdue.' }),
    table(`Due this week (${soon.length})`, head, soon.map(row), { empty: 'Nothing due this week.' }));
}
