// The audit trail: verification of its hash chain and of the sealed seed (admin, monitor), and
// the records themselves where the server offers them (audit.log).
import { h, section, table, badge } from '../dom.js';
import * as f from '../fmt.js';

export async function render(main, { api }) {
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
  if (await api.has('audit.log')) {
    const { path } = await api.operation('audit.log');
    const log = await api.get(path);
    const recs = log.records || log.entries || log;
    main.append(section('Records', table(`Audit records (${recs.length})`, ['#', 'at', 'user', 'action', 'target'],
      recs.map((r) => [String(r.seq ?? r.id ?? ''), f.time(r.at || r.time), r.user || r.by || '', r.action || r.kind || '', r.target || r.patient || '']), { scrollable: true })));
  }
}
