// The oral drug of an arm (everolimus, NET RETREAT's arm 2; docs/conduct.md "Oral drugs") on
// the patient page: where the patient stands (current daily dose, interrupted since, stopped),
// the dispensing periods with their compliance, the dose changes and the interruptions with
// their reasons, all as the server answers them (GET .../oral, `record oral show --json`); and
// the forms of the records a role may make, each offered only where the course allows it (no
// resumption unless interrupted, nothing but a return after the stop). The label's rules
// (dose steps, when and at what dose to resume) are the server's: a refusal comes back beside
// the field it names.
import { h, section, table, badge } from '../dom.js';
import { opForm } from '../opform.js';
import * as f from '../fmt.js';

const mg = (v) => f.num(v, 'mg');
const pct = (v) => (v == null ? '—' : f.num(v * 100, '%', 1));
const cap = (s) => s.replace(/^./, (c) => c.toUpperCase());

// the course's interruptions: each interrupt to the resumption (or stop) that ended it
export function interruptions(events) {
  const out = [];
  for (const e of events) {
    if (e.type === 'interrupt') out.push({ from: e.date, to: null, category: e.category, grade: e.grade, cause: e.cause, ended: null });
    else if ((e.type === 'resume' || e.type === 'stop') && out.length && !out[out.length - 1].to) {
      out[out.length - 1].to = e.date;
      out[out.length - 1].ended = e.type === 'resume' ? `resumed at ${mg(e.dose_mg)} daily` : 'stopped';
    }
  }
  return out;
}

function stateOf(o) {
  const s = o.state;
  if (!s.started) return { text: 'Not started.', kind: 'planned' };
  if (s.stopped) return { text: `Stopped on ${f.day(s.stopped)}.`, kind: 'dev' };
  if (s.interrupted_since) return { text: `Interrupted since ${f.day(s.interrupted_since)} (${mg(s.daily_dose_mg)} daily before).`, kind: 'dev' };
  return { text: `${mg(s.daily_dose_mg)} daily.`, kind: 'ok' };
}

export async function oralSection(show, ctx) {
  const p = show.patient;
  if (!p.arm || !(await ctx.api.has('oral.show'))) return null;
  let o;
  try { o = await ctx.api.get(`/api/v1/patients/${encodeURIComponent(p.id)}/oral`); } catch (e) {
    if (e.signedOut) throw e;
    // an arm without an oral drug has no such section
    if (/takes no oral drug/.test(e.message)) return null;
    return section('Oral drug', h('p', { role: 'alert' }, e.message));
  }
  const drug = cap(o.drug || 'oral drug');
  const st = stateOf(o);
  const ev = o.events || [];
  const periods = (o.periods || []).map((q) => [f.time(q.dispensed_on), f.time(q.to), f.num(q.days, 'days'), mg(q.strength_mg),
    f.num(q.dispensed), q.returned == null ? 'not yet' : f.num(q.returned), q.lost == null ? '—' : f.num(q.lost),
    q.taken == null ? '—' : f.num(q.taken), f.num(q.interruption_days, 'days'), f.num(q.prescribed, null, 1),
    h('span', { class: 'compliance' }, q.compliance == null ? 'after the return' : pct(q.compliance))]);
  const doses = ev.filter((e) => ['start', 'dose', 'resume', 'stop'].includes(e.type)).map((e) =>
    [f.time(e.date), f.words(e.type === 'dose' ? 'lowered' : e.type === 'resume' ? 'resumed' : e.type === 'start' ? 'started' : 'stopped'),
      e.type === 'stop' ? '—' : `${mg(e.dose_mg)} daily`, e.cause || '—']);
  const pauses = interruptions(ev).map((x) => [f.time(x.from), x.to ? f.time(x.to) : 'ongoing',
    f.num(f.daysBetween(x.from, x.to || o.as_of), 'days'), x.category ? `${f.words(x.category)}${x.grade ? ` grade ${x.grade}` : ''}` : '—', x.cause || '—', x.ended || '—']);

  const forms = await recordForms(o, ctx);
  return section(drug,
    h('dl', { class: 'facts oral-state' },
      h('dt', {}, 'Current daily dose'), h('dd', { id: 'oral-current' }, badge(st.kind === 'ok' ? 'on drug' : st.kind === 'planned' ? 'not started' : o.state.stopped ? 'stopped' : 'interrupted', st.kind), ' ', st.text),
      o.state.started ? [h('dt', {}, 'Started'), h('dd', {}, f.time(o.state.started))] : null,
      h('dt', {}, 'As of'), h('dd', {}, f.time(o.as_of))),
    table('Dispensings and compliance (one period per dispensing; compliance = tablets taken / tablets prescribed)',
      ['dispensed on', 'period to', 'days', 'tablet strength', 'dispensed (tablets)', 'returned', 'lost', 'taken', 'interrupted', 'prescribed (tablets)', 'compliance'],
      periods, { empty: 'Nothing dispensed yet.' }),
    table('Daily dose: start, changes, resumptions, stop', ['from', 'what', 'daily dose', 'cause'], doses, { empty: 'Not started.' }),
    table('Interruptions', ['from', 'to', 'days', 'toxicity', 'cause', 'ended'], pauses, { empty: 'No interruption.' }),
    forms);
}

// The forms the role may use that the course allows now, each in its own disclosure.
async function recordForms(o, ctx) {
  const s = o.state, me = ctx.me, path = { patient: o.patient };
  const on = s.started && !s.stopped, paused = on && s.interrupted_since;
  const ok = (msg) => (r, v) => ctx.reload(typeof msg === 'function' ? msg(r, v) : msg);
  const common = { me, path, params: { dose_mg: 'dose', strength_mg: 'strength', category: 'toxicity' }, units: { dose: 'mg', strength: 'mg', tablets: 'tablets', returned: 'tablets', lost: 'tablets' },
    labels: { dose: 'Daily dose', strength: 'Tablet strength', reason: 'Reason (a correction needs one)', toxicity: 'Toxicity category', grade: 'CTCAE grade', cause: 'Cause' } };
  const want = [
    !s.started && ['oral.start', 'oral-start', 'Start the drug', 'Started.'],
    on && !paused && ['oral.dispense', 'oral-dispense', 'Record tablets dispensed', 'Dispensing recorded.'],
    ['oral.return', 'oral-return', 'Record tablets returned', 'Return recorded.'],
    on && !paused && ['oral.dose', 'oral-dose', 'Lower the daily dose', 'Dose lowered.'],
    on && !paused && ['oral.interrupt', 'oral-interrupt', 'Interrupt', 'Interruption recorded.'],
    paused && ['oral.resume', 'oral-resume', 'Resume', 'Resumed.'],
    on && ['oral.stop', 'oral-stop', 'Stop the drug', 'Stopped.'],
    on && ['oral.decide', 'oral-decide', 'Ask the label\'s table', (r, v) => `Decision on ${f.day(v.date)}: ${f.words(r.action)}${r.dose_mg != null ? `, ${mg(r.dose_mg)} daily` : ''}${r.category ? ` (${f.words(r.category)} grade ${r.grade}${r.recurrence ? ', a recurrence' : ''})` : ''}.`],
  ].filter(Boolean);
  const built = await Promise.all(want.map(([op, key, submit, msg]) =>
    opForm(op, { ...common, key, submit, order: ['date', 'dose', 'tablets', 'strength', 'returned', 'lost', 'cause', 'toxicity', 'grade'], done: ok(msg) })
      .then((fm) => fm && h('details', {}, h('summary', {}, submit), fm))));
  return built.filter(Boolean);
}
