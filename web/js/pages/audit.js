// The audit trail: verification of its hash chain and of the sealed seed, and the records
// themselves, filtered by patient and day (admin, monitor).
import { h, section, table, badge } from '../dom.js';
import { opForm } from '../opform.js';
import * as f from '../fmt.js';

const SHOWN = 300;

export async function render(main, { api, me }) {
  main.append(h('h1', {}, 'Audit trail'));
  const out = h('div', { id: 'verify-result', role: 'status' });
  const verify = async () => {
    out.replaceChildren(h('p', {}, 'Verifying…'));
    const v = await api.get('/api/v1/audit/verify');
    out.replaceChildren(
      h('p', { class: v.ok ? 'ok' : 'error' }, badge(v.ok ? 'verified' : 'failed', v.ok ? 'ok' : 'dev'),
        v.ok ? ` The chain of ${f.num(v.records, 'records')} is intact` : ` The trail fails verification: ${v.problem.message} (${v.problem.where})`,
        v.seed_checked ? '; the sealed randomisation seed matches.' : '.'),
      h('p', {}, 'Head of the chain: ', h('code', {}, v.head)));
  };
  main.append(section('Verification', h('button', { type: 'button', onclick: () => verify().catch((e) => out.replaceChildren(h('p', { class: 'error' }, e.message))) }, 'Verify the trail'), out));
  const list = h('div', { id: 'audit-records' });
  const show = (recs) => {
    const last = recs.slice(-SHOWN).reverse();
    list.replaceChildren(table(`Audit records: the latest ${last.length} of ${recs.length}, newest first`, ['#', 'at', 'user', 'action', 'record', 'patient', 'site'],
      last.map((r) => [String(r.seq), f.time(r.at), `${r.user} (${f.words(r.role)})`, r.action, `${r.entity} ${r.id}`, r.patient || '—', r.site || '—']), { empty: 'No record.' }));
  };
  const filter = await opForm('audit.log', { me, key: 'audit-filter', submit: 'Show records', labels: { since: 'From day' }, done: show });
  if (filter) {
    main.append(section('Records', filter, list));
    show(await api.get('/api/v1/audit/log'));
  }
}
