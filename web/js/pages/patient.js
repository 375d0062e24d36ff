// One patient: the enrolment steps in order (consent, confirmation, randomisation), the
// calendar as a timeline, labs with their CTCAE grades, the records of the casebook grouped by
// listing, and the casebook itself. Only what the server answers for the user's sites is shown:
// a patient of another site is "not found", exactly like one that does not exist.
import { h, s, section, table, badge, announce } from '../dom.js';
import { field, form } from '../forms.js';
import * as f from '../fmt.js';
import { criteria, missing } from './screening.js';
import { opForm } from '../opform.js';
import * as sign from '../sign.js';
import { oralSection } from './oral.js';

const ENROLERS = ['coordinator', 'investigator'];

export async function render(main, ctx) {
  const { api, args } = ctx;
  const id = args[0];
  if (!id) { main.append(h('h1', {}, 'Patient'), h('p', {}, h('a', { href: '#/patients' }, 'Choose a patient'))); return; }
  let show, cal;
  // the casebook route answers the patient and every record of it the role may read; a server
  // without it answers the patient alone
  const book = await api.has('patients.casebook');
  try {
    [show, cal] = await Promise.all([
      api.get(`/api/v1/patients/${encodeURIComponent(id)}${book ? '/casebook' : ''}`),
      api.get(`/api/v1/patients/${encodeURIComponent(id)}/schedule`).catch((e) => (e.status === 404 || e.status === 409 || e.status === 400 ? null : Promise.reject(e))),
    ]);
  } catch (e) {
    if (e.status === 404) { main.append(h('h1', {}, 'Patient not found'), h('p', { role: 'alert' }, `There is no patient ${id} at your sites.`)); return; }
    throw e;
  }
  const p = show.patient;
  // every signature of the patient, read once: the confirmation, the decisions, the adverse
  // events and the casebook show theirs
  const sigs = (p.confirmed_on || book) ? await sign.signatures(ctx, { patient: p.id }) : [];
  const sx = { ...ctx, sigs };
  const parts = [
    enrolment(show, { ...sx, sign: await signConfirm(show, sx) }),
    calendar(cal),
    await doses(show, sx),
    labs(show, ctx),
    await recordsOf(show, sx, 'Adverse events', 'aes', 'records.ae', 'Record an adverse event',
      { labels: { term: 'CTCAE v5.0 term', grade: 'CTCAE grade' }, order: ['term', 'grade', 'start', 'end', 'serious', 'related'],
        options: { related: [['', '—'], ['not_related', 'not related'], ['unlikely', 'unlikely'], ['possible', 'possible'], ['probable', 'probable'], ['definite', 'definite']] },
        signed: true, after: await signAe(show, sx) }),
    await recordsOf(show, ctx, 'Events', 'events', 'records.event', 'Record an event',
      { order: ['type', 'date', 'site'], options: { type: ['recurrence', 'progression', 'death', 'next_therapy', 'lost_to_follow_up', 'withdrawal'].map((t) => [t, f.words(t)]) } }),
    await oralSection(show, { ...ctx, reload: (msg) => reload(ctx, msg) }),
    book ? signaturesOf(sigs) : null,
    book ? records(show) : null,
    book ? await casebook(show, sx) : null,
  ].filter(Boolean);
  // the table of contents names the sections this patient has (an oral drug only on its arm)
  const toc = parts.map((x) => x.querySelector('h2')).filter(Boolean);
  main.append(
    h('h1', {}, `Patient ${p.id}`),
    flash ? h('p', { class: 'notice', id: 'flash' }, flash) : null,
    h('p', { class: 'facts' }, `Site ${p.site} · `, badge(p.state), ' · verdict ', badge(p.verdict || 'none'),
      p.arm ? ` · arm ${p.arm}, allocation number ${p.allocation}` : '', ` · protocol version ${p.protocol_version}`),
    h('nav', { class: 'toc', 'aria-label': 'Sections of this patient' }, h('ul', {},
      toc.map((t) => h('li', {}, h('a', { href: `#/patient/${encodeURIComponent(p.id)}`, 'data-to': t.id, onclick: jump }, t.textContent))))),
    ...parts);
  if (flash) { announce(flash); flash = null; }
}

function jump(ev) {
  ev.preventDefault();
  const t = document.getElementById(ev.currentTarget.dataset.to);
  t.setAttribute('tabindex', '-1');
  t.focus();
}

// what the last change did, shown once above the redrawn page
let flash = null;
function reload(ctx, msg) {
  flash = msg;
  ctx.go(location.hash);
}

function step(n, title, done, body) {
  return h('li', { class: `step ${done ? 'done' : ''}` }, h('h3', {}, `${n}. ${title} `, badge(done ? 'done' : 'to do')), body);
}

// The investigator's electronic signature of the confirmation (21 CFR Part 11, docs/part11.md):
// the password again (and the user name on the first signature of a session), the meaning;
// what was signed is shown with the signer's full name and the UTC time.
async function signConfirm(show, ctx) {
  const p = show.patient;
  if (!p.confirmed_on) return null;
  const sigs = ctx.sigs.filter((x) => x.act === 'confirm');
  const valid = sigs.some((x) => x.status === 'valid');
  const frm = valid ? null : await sign.signForm('signatures.confirm', ctx, { path: { patient: p.id }, key: 'sign-confirm', submit: 'Sign the confirmation',
    done: (r, msg) => reload(ctx, msg) });
  return h('div', {}, sigs.map(sign.line), frm ? h('details', { open: true }, h('summary', {}, 'Electronic signature'), frm) : null);
}

function enrolment(show, ctx) {
  const p = show.patient, role = ctx.me.role, api = ctx.api;
  const base = `/api/v1/patients/${encodeURIComponent(p.id)}`;
  const last = show.screenings[show.screenings.length - 1];
  const consent = p.consent_date
    ? h('p', {}, 'Consent form ', p.consent_form, ' signed on ', f.time(p.consent_date), '.')
    : ENROLERS.includes(role)
      ? form('consent', [field('date', 'Date consent was given', { type: 'date', required: true, value: f.today() }),
        field('form', 'Consent form version', { required: true, value: show.reconsent_due?.form || '' })],
      'Record consent', async (v) => { await api.post(`${base}/consent`, v); reload(ctx, 'Consent recorded'); })
      : h('p', {}, 'Not yet recorded (a coordinator or investigator records it).');
  const confirm = p.confirmed_on
    ? h('div', {}, h('p', {}, 'Confirmed by ', p.confirmed_by, ' on ', f.time(p.confirmed_on), '.'), ctx.sign || null)
    : !p.consent_date ? h('p', {}, 'After consent.')
      : role === 'investigator'
        ? form('confirm', [field('date', 'Date of confirmation', { type: 'date', required: true, value: f.today() })],
          'Confirm eligibility', async (v) => { await api.post(`${base}/confirm`, v); reload(ctx, 'Eligibility confirmed'); },
          h('p', { class: 'hint' }, `Stored verdict: ${f.words(p.verdict)}. Confirming records your signature with the meaning "eligibility confirmed".`))
        : h('p', {}, 'An investigator of the site confirms the stored verdict.');
  const rand = p.randomised_on
    ? h('p', {}, `Arm ${p.arm ?? '(concealed)'}, allocation number ${p.allocation ?? '—'}, on `, f.time(p.randomised_on), '.')
    : !p.confirmed_on ? h('p', {}, 'After confirmation.')
      : ENROLERS.includes(role)
        ? form('randomise', [field('date', 'Date of allocation', { type: 'date', required: true, value: f.today() })],
          'Randomise', async (v) => {
            const r = await api.post(`${base}/randomise`, v);
            reload(ctx, `Allocated to arm ${r.arm}, number ${r.allocation}`);
          })
        : h('p', {}, 'A coordinator or investigator randomises.');
  return section('Enrolment',
    h('ol', { class: 'steps' },
      step(1, 'Informed consent', !!p.consent_date, consent),
      step(2, 'Eligibility confirmation', !!p.confirmed_on, confirm),
      step(3, 'Randomisation', !!p.randomised_on, rand)),
    last ? h('details', {}, h('summary', {}, `Screening ${last.number} of `, f.time(last.screened_on), `: ${f.words(last.verdict)}`),
      missing(last.result), criteria(last.result)) : null);
}

// The calendar: each visit's window as a bar, its target as a tick, the actual date as a dot,
// deviations in their own colour; the same in a table.
function calendar(cal) {
  if (!cal) return section('Calendar', h('p', {}, 'The calendar starts once the patient is allocated.'));
  const v = cal.visits.filter((x) => x.earliest && x.latest);
  if (!v.length) return section('Calendar', h('p', {}, 'No visit is planned.'));
  const days = v.flatMap((x) => [x.earliest, x.latest_delayed || x.latest, x.actual].filter(Boolean)).sort();
  const t0 = days[0], t1 = days[days.length - 1];
  const span = Math.max(1, f.daysBetween(t0, t1));
  const W = 900, L = 200, R = 10, row = 18, H = v.length * row + 30;
  const X = (d) => L + (f.daysBetween(t0, d) / span) * (W - L - R);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'timeline', role: 'img', 'aria-labelledby': 'tl-t' },
    s('title', { id: 'tl-t' }, `Calendar from ${f.day(t0)} to ${f.day(t1)}: ${v.length} visits (the table below lists them)`));
  for (let i = 0; i <= 4; i++) {
    const d = f.addDays(t0, Math.round((span * i) / 4));
    svg.append(s('line', { x1: X(d), x2: X(d), y1: 0, y2: H - 20, class: 'grid' }), s('text', { x: X(d), y: H - 6, 'text-anchor': 'middle', class: 'tick' }, f.day(d)));
  }
  v.forEach((x, i) => {
    const y = i * row + 4;
    const cls = x.deviation ? 'dev' : x.status;
    svg.append(s('text', { x: L - 6, y: y + 11, 'text-anchor': 'end', class: 'tick' }, x.id),
      s('rect', { x: X(x.earliest), y: y + 3, width: Math.max(2, X(x.latest_delayed || x.latest) - X(x.earliest)), height: 10, class: `win ${cls}` }),
      s('line', { x1: X(x.target), x2: X(x.target), y1: y + 1, y2: y + 15, class: 'target' }));
    if (x.actual) svg.append(s('circle', { cx: X(x.actual), cy: y + 8, r: 4, class: `actual ${cls}` }));
  });
  const rows = cal.visits.map((x) => [x.id, x.label, f.time(x.target), x.earliest ? h('span', {}, f.time(x.earliest), ' – ', f.time(x.latest),
      x.latest_delayed ? [' (up to ', f.time(x.latest_delayed), ` if delayed for ${f.words(x.delay_reason || 'a reason')})`] : '') : '—',
    x.actual ? f.time(x.actual) : '—', badge(x.status), x.deviation ? badge('deviation', 'dev') : '', x.note || '']);
  return section('Calendar',
    cal.stopped ? h('p', { class: 'notice' }, `Treatment stopped: ${cal.stopped}`) : null,
    h('figure', { class: 'figure' }, h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Calendar timeline' }, svg),
      h('figcaption', {}, 'Bars: windows (red: a deviation); tick: target day; dot: the day it was done.')),
    table('Visits', ['visit', 'what', 'target', 'window', 'done', 'status', 'deviation', 'note'], rows, { scrollable: true }));
}

const ANALYTES = [['platelets', 'platelets', '10^9/L'], ['neutrophils', 'neutrophils', '10^9/L'], ['hemoglobin', 'haemoglobin', 'g/dL'], ['wbc', 'white cells', '10^9/L'],
  ['lymphocytes', 'lymphocytes', '10^9/L'], ['creatinine', 'creatinine', 'mg/dL'], ['bilirubin', 'total bilirubin', 'mg/dL'], ['alt', 'ALT', 'U/L'], ['ast', 'AST', 'U/L'], ['albumin', 'albumin', 'g/dL']];

function byListing(show, name) { return (show.casebook || []).filter((c) => c.listing === name); }

function labs(show, ctx) {
  const p = show.patient, base = `/api/v1/patients/${encodeURIComponent(p.id)}`;
  const rows = byListing(show, 'labs').map((c) => {
    const d = c.data, g = d.grade && typeof d.grade === 'object' ? d.grade : { grade: d.grade };
    return [f.time(c.date), f.words(d.analyte), f.num(d.value, d.unit), gradeBadge(g), g.term || '', c.recorded_by];
  });
  const unitHint = ANALYTES.map((a) => `${a[1]}: ${a[2]}`).join('; ');
  return section('Labs',
    show.casebook ? table('Laboratory results (CTCAE v5.0 grades)', ['date', 'analyte', 'value', 'grade', 'term', 'by'], rows, { empty: 'No laboratory result recorded.' })
      : h('p', {}, 'This server does not list the records of a patient.'),
    ENROLERS.includes(ctx.me.role) ? h('details', { open: !rows.length || null }, h('summary', {}, 'Record a laboratory result'),
      form('lab', [
        field('date', 'Date of the sample', { type: 'date', required: true, value: f.today() }),
        field('analyte', 'Analyte', { options: ANALYTES.map((a) => [a[0], a[1]]) }),
        field('value', 'Value', { type: 'number', step: 'any', required: true }),
        field('unit', 'Unit', { hint: `empty: the analyte's own (${unitHint})` }),
        field('lln', 'Lower limit of normal', { type: 'number', step: 'any', hint: 'in the unit above' }),
        field('uln', 'Upper limit of normal', { type: 'number', step: 'any', hint: 'in the unit above' }),
      ], 'Record', async (v) => {
        const g = await ctx.api.post(`${base}/labs`, v);
        const unit = g.unit || v.unit || ANALYTES.find((a) => a[0] === v.analyte)?.[2] || '';
        reload(ctx, g.grade == null ? `${f.words(v.analyte)} ${f.num(v.value, unit)} recorded; not graded.`
          : `${f.words(v.analyte)} ${f.num(v.value, unit)} recorded: grade ${g.grade}${g.term ? ` (${g.term})` : ''}.`);
      })) : null);
}

// a CTCAE grade: a number, or "undetermined" with the range it lies in
function gradeBadge(g) {
  if (g.grade == null) return '—';
  if (typeof g.grade === 'number') return badge(`grade ${g.grade}`, `g${g.grade}`);
  return h('span', { title: g.reason || '' }, badge(f.words(g.grade), 'unknown'), g.min_grade != null ? ` (${g.min_grade} to ${g.max_grade})` : '');
}

// Doses: each cycle's decision with its reasons, the administrations with their activities
// decay-corrected by the server, and the cumulative ledger; the forms for a decision and an
// administration, with a decay calculator to check a reading before it is entered.
async function doses(show, ctx) {
  const p = show.patient, path = { patient: p.id }, me = ctx.me;
  const decide = await opForm('doses.decide', { me, path, key: 'decide', submit: 'Decide the dose', order: ['cycle', 'date'],
    done: (r, v) => reload(ctx, `Cycle ${v.cycle}: ${f.words(r.action)}, ${f.num(r.activity_mbq, 'MBq')}${r.delay_days ? `, delayed ${r.delay_days} days` : ''}. ${r.reasons.map((x) => x.text).join(' ')}`) });
  const adm = await opForm('doses.administration', { me, path, key: 'administration', submit: 'Record the administration',
    order: ['cycle', 'prescribed', 'before', 'before_at', 'start', 'end', 'residual', 'residual_at', 'unit'],
    units: { prescribed: 'MBq', before: 'MBq', residual: 'MBq', calibration: 'MBq' },
    labels: { before: 'Activity measured before', residual: 'Residual activity after', before_at: 'Measured before at', residual_at: 'Residual measured at', start: 'Infusion start', end: 'Infusion end' },
    done: (r, v) => reload(ctx, `Cycle ${v.cycle} administered: ${f.num(r.administered_mbq, 'MBq', 1)} at the infusion start (before ${f.num(r.before_at_admin_mbq, 'MBq', 1)}, residual ${f.num(r.residual_at_admin_mbq, 'MBq', 1)}, decay-corrected); deviation from prescribed ${f.num(r.deviation * 100, '%', 1)}${r.warnings.length ? '; ' + r.warnings.map((w) => w.text || w.message || w.code).join('; ') : ''}.`) });
  if (!show.casebook && !decide && !adm) return null;
  const listed = byListing(show, 'doses');
  const decisions = listed.map((c) => {
    const d = c.data.decision || {};
    return [String(c.data.cycle), f.time(c.date), badge(f.words(d.action || ''), d.action === 'withhold' || d.action === 'stop' ? 'dev' : 'ok'),
      f.num(d.activity_mbq, 'MBq'), d.delay_days ? f.num(d.delay_days, 'days') : '—', h('ul', { class: 'evidence' }, (d.reasons || []).map((r) => h('li', {}, r.text))),
      sign.status(ctx.sigs, c.id)];
  });
  // the investigator signs a decision (a nuclear-medicine physician may have recorded it)
  const signDecision = listed.length ? await sign.signForm('signatures.decision', ctx, { key: 'sign-decision', submit: 'Sign the dose decision',
    recordLabel: 'Dose decision', records: listed.map((c) => [c.id, `cycle ${c.data.cycle}, ${f.day(c.date)}: ${f.words(c.data.decision?.action || '')} (${c.id})`]),
    done: (r, msg) => reload(ctx, msg) }) : null;
  let cum = 0;
  const ledger = byListing(show, 'administrations').map((c) => {
    const r = c.data.result || {}, rec = c.data.record || {};
    cum += r.administered_mbq || 0;
    return [String(c.data.cycle), f.time(c.date), rec.nuclide || 'Lu-177', f.num(rec.prescribed_mbq, 'MBq'), f.num(r.administered_mbq, 'MBq', 1),
      f.num(r.deviation != null ? r.deviation * 100 : null, '%', 1), f.num(cum / 1000, 'GBq', 2)];
  });
  return section('Doses',
    show.casebook ? table('Dose decisions', ['cycle', 'decided', 'action', 'activity', 'delay', 'reasons', 'signature'], decisions, { empty: 'No decision yet.' }) : null,
    show.casebook ? table('Administrations and cumulative activity', ['cycle', 'day', 'nuclide', 'prescribed', 'administered (at infusion start)', 'deviation', 'cumulative'], ledger, { empty: 'No administration yet.' }) : null,
    decide ? h('details', {}, h('summary', {}, 'Decide a cycle\'s dose'), decide) : null,
    adm ? h('details', {}, h('summary', {}, 'Record an administration'), adm, calculator()) : null,
    signDecision ? h('details', {}, h('summary', {}, 'Sign a dose decision'), signDecision) : null);
}

// Lu-177's physical half-life, 6.647 days (Lutathera SmPC; data/nuclides.json): the calculator
// is a check for the person at the dose calibrator; the stored activities are the server's.
const LU177_HALF_LIFE_H = 6.647 * 24;
function calculator() {
  const out = h('output', { id: 'decay-out', for: 'decay-a decay-t0 decay-t1' }, '—');
  const a = h('input', { id: 'decay-a', type: 'number', step: 'any', min: '0' });
  const t0 = h('input', { id: 'decay-t0', type: 'datetime-local' });
  const t1 = h('input', { id: 'decay-t1', type: 'datetime-local' });
  const calc = () => {
    const hrs = (Date.parse(t1.value) - Date.parse(t0.value)) / 36e5;
    out.textContent = a.value && Number.isFinite(hrs)
      ? `${f.num(Number(a.value) * Math.pow(2, -hrs / LU177_HALF_LIFE_H), 'MBq', 1)} after ${f.num(hrs, 'h', 2)}` : '—';
  };
  for (const i of [a, t0, t1]) i.addEventListener('input', calc);
  return h('fieldset', { class: 'calc' }, h('legend', {}, 'Decay calculator (Lu-177, half-life 6.647 days)'),
    h('div', { class: 'field' }, h('label', { for: 'decay-a' }, 'Activity measured', h('span', { class: 'unit' }, ' (MBq)')), a),
    h('div', { class: 'field' }, h('label', { for: 'decay-t0' }, 'Measured at'), t0),
    h('div', { class: 'field' }, h('label', { for: 'decay-t1' }, 'Activity at'), t1),
    h('p', {}, 'Activity then: ', out));
}

// A kind of record: its casebook rows, and the form that records one (when the role may).
async function recordsOf(show, ctx, title, listing, operationId, submit, o = {}) {
  const frm = operationId ? await opForm(operationId, { me: ctx.me, path: { patient: show.patient.id }, key: listing, submit, ...o,
    done: () => reload(ctx, `${title}: recorded.`) }) : null;
  if (!show.casebook && !frm) return null;
  const cs = byListing(show, listing);
  const keys = [...new Set(cs.flatMap((c) => Object.keys(c.data || {})))].filter((k) => k !== 'patient').slice(0, 8);
  return section(title,
    show.casebook ? table(`${title} (${cs.length})`, ['date', ...keys.map(f.words), 'by', ...(o.signed ? ['signature'] : [])],
      cs.map((c) => [f.time(c.date), ...keys.map((k) => value(c.data[k])), c.recorded_by, ...(o.signed ? [sign.status(ctx.sigs, c.id)] : [])]), { empty: 'None recorded.' }) : null,
    frm ? h('details', {}, h('summary', {}, submit), frm) : null,
    o.after || null);
}

// The investigator signs an adverse event's seriousness and causality (its medical assessment).
async function signAe(show, ctx) {
  const cs = byListing(show, 'aes');
  if (!cs.length) return null;
  const frm = await sign.signForm('signatures.ae', ctx, { key: 'sign-ae', submit: 'Sign the adverse event',
    recordLabel: 'Adverse event', defaultMeaning: 'responsibility',
    records: cs.map((c) => [c.id, `${c.data.term || ''} grade ${c.data.grade ?? '?'}, ${f.day(c.date)}: ${c.data.serious ? 'serious' : 'not serious'}, ${f.words(c.data.related || 'causality not given')} (${c.id})`]),
    done: (r, msg) => reload(ctx, msg) });
  return frm ? h('details', {}, h('summary', {}, 'Sign an adverse event (seriousness and causality)'), frm) : null;
}

// Every signature of the patient, valid or invalidated, with what it signed.
function signaturesOf(sigs) {
  return section('Signatures', table(`Signatures (${sigs.length})`, ['signature', 'act', 'record', 'signed by', 'at', 'meaning', 'status'],
    sigs.map((x) => [x.id, f.words(x.act), x.record ? `${f.words(x.record.kind)} ${x.record.id}` : '—', `${x.full_name} (${x.signer})`,
      f.utc(x.signed_at), x.meaning, badge(x.status, x.status === 'valid' ? 'ok' : 'dev')]), { empty: 'No signature yet.' }));
}

function records(show) {
  const shown = new Set(['labs', 'doses', 'administrations', 'aes', 'events', 'signatures']);
  const groups = new Map();
  for (const c of show.casebook || []) {
    if (shown.has(c.listing)) continue;
    if (!groups.has(c.listing)) groups.set(c.listing, []);
    groups.get(c.listing).push(c);
  }
  if (!groups.size) return section('Records', h('p', {}, 'No other record yet.'));
  return section('Records', ...[...groups.entries()].map(([name, cs]) => {
    const keys = [...new Set(cs.flatMap((c) => Object.keys(c.data || {})))].slice(0, 8);
    return table(`${f.words(name)} (${cs.length})`, ['date', ...keys.map(f.words), 'by'],
      cs.map((c) => [f.time(c.date), ...keys.map((k) => value(c.data[k])), c.recorded_by]), { scrollable: true });
  }));
}

function value(v) {
  if (v == null || v === '') return '—';
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return f.time(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// The casebook, and its sign-off by the investigator: any later change of a record of the
// patient invalidates the sign-off (the server decides; the page shows its answer).
async function casebook(show, ctx) {
  const cb = show.casebook || [];
  const p = show.patient;
  const mine = ctx.sigs.filter((x) => x.act === 'casebook');
  const valid = mine.some((x) => x.status === 'valid');
  const frm = valid ? null : await sign.signForm('signatures.casebook', ctx, { path: { patient: p.id }, key: 'sign-casebook',
    submit: 'Sign the casebook off', done: (r, msg) => reload(ctx, msg) });
  return section('Casebook',
    h('div', { id: 'casebook-signoff' }, mine.length ? mine.map(sign.line) : h('p', {}, 'The casebook is not signed off.')),
    frm ? h('details', {}, h('summary', {}, 'Sign the casebook off'), frm) : null,
    h('details', {}, h('summary', {}, `${cb.length} records, each with who recorded it and when`),
      table('Casebook', ['date', 'listing', 'record', 'recorded by', 'role', 'recorded at', 'revision'],
        cb.map((c) => [f.time(c.date), f.words(c.listing), c.id, c.recorded_by, f.words(c.role), f.time(c.recorded_at), String(c.rev)]), { scrollable: true })));
}
