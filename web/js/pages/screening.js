// Screening: a patient document from a file (native JSON, a FHIR R4 Bundle, or native JSON with
// its labs from a CSV lab export) or from a form, screened and stored at one of the user's sites
// (POST /api/v1/patients). The answer shows every criterion with its status, reason, evidence and
// the protocol's sentence, and what is missing to decide.
import { h, section, table, badge } from '../dom.js';
import { field, form } from '../forms.js';
import { Problem } from '../api.js';
import * as f from '../fmt.js';

// A CSV lab export (docs/patient-format.md): a header row naming at least patient, date,
// analyte, value; each row becomes a native lab of its patient.
function csvLabs(text, name) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const head = lines.shift().split(',').map((s) => s.trim());
  for (const need of ['patient', 'date', 'analyte', 'value'])
    if (!head.includes(need)) throw new Problem({ detail: `${name}: expected a CSV header with ${need}, found ${head.join(',')}`, param: 'patient' });
  const out = new Map();
  lines.forEach((l, i) => {
    const c = Object.fromEntries(l.split(',').map((v, j) => [head[j], v.trim()]));
    const value = Number(c.value);
    if (c.value === '' || Number.isNaN(value))
      throw new Problem({ detail: `${name} line ${i + 2}: expected a number in value, found '${c.value}'`, param: 'patient' });
    const lab = { code: c.analyte, date: c.date, value, unit: c.unit || undefined };
    if (c.low) lab.low = Number(c.low);
    if (c.high) lab.high = Number(c.high);
    if (c.comparator) lab.comparator = c.comparator;
    if (!out.has(c.patient)) out.set(c.patient, []);
    out.get(c.patient).push(lab);
  });
  return out;
}

async function documentFromFiles(files) {
  if (!files.length) throw new Problem({ detail: 'choose a file', param: 'patient' });
  let doc = null;
  const labs = [];
  for (const file of files) {
    const text = await file.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    if (json === undefined) { labs.push(csvLabs(text, file.name)); continue; }
    if (Array.isArray(json)) {
      if (json.length !== 1) throw new Problem({ detail: `${file.name}: expected one patient, found ${json.length}`, param: 'patient' });
      json = json[0];
    }
    if (doc) throw new Problem({ detail: 'choose one patient document (JSON) and, if you like, its labs (CSV)', param: 'patient' });
    doc = json;
  }
  if (!doc) throw new Problem({ detail: 'a CSV lab export needs the patient document (JSON) beside it', param: 'patient' });
  for (const m of labs) {
    const rows = m.get(doc.id);
    if (rows) doc.labs = [...(doc.labs || []), ...rows];
  }
  return doc;
}

function documentFromForm(v) {
  const d = v.lab_date;
  const lab = (code, unit) => (v[code] != null ? [{ code, date: d, value: v[code], unit }] : []);
  return {
    id: v.id, birth_date: v.birth_date, sex: v.sex,
    performance: v.ecog != null ? [{ code: 'ecog', date: d, value: v.ecog }] : [],
    diagnoses: v.primary_site ? [{ code: 'net', date: v.diagnosis_date || d, primary_site: v.primary_site, grade: v.grade, ki67: v.ki67, differentiation: v.grade === 'G3' ? undefined : 'well', confirmed: 'histology' }] : [],
    procedures: v.resection_date ? [{ code: 'liver_resection', date: v.resection_date, margin: v.margin }] : [],
    labs: [...lab('platelets', '10^9/L'), ...lab('neutrophils', '10^9/L'), ...lab('hemoglobin', 'g/dL'), ...lab('creatinine', 'mg/dL'), ...lab('bilirubin', 'mg/dL'), ...lab('albumin', 'g/dL')],
  };
}

export async function render(main, { api, me, go }) {
  main.append(h('h1', {}, 'Screening'));
  const sites = me.sites.includes('*') ? [] : me.sites;
  const result = h('div', { id: 'screening-result' });
  const siteField = () => field('site', 'Site', sites.length ? { options: sites.map((s) => [s, s]), required: true } : { required: true });
  const enrol = async (patient, v) => {
    const r = await api.post('/api/v1/patients', { site: v.site, patient, as_of: v.as_of || undefined, reason: v.reason || undefined });
    result.replaceChildren(...show(r));
    result.querySelector('h2').focus();
  };
  const upload = form('screen-file', [
    siteField(),
    h('div', { class: 'field', 'data-field': 'patient' },
      h('label', { for: 'patient-file' }, 'Patient file: native JSON, FHIR R4 Bundle, or JSON with its labs as CSV'),
      h('input', { id: 'patient-file', name: 'file', type: 'file', multiple: true, accept: '.json,.csv,application/json,text/csv', 'aria-describedby': 'patient-file-err' }),
      h('p', { class: 'field-error', id: 'patient-file-err', hidden: true })),
    field('as_of', 'Screen as of', { type: 'date', hint: 'empty: today' }),
    field('reason', 'Reason (when screening again)'),
  ], 'Screen and store', async (v, fm) => enrol(await documentFromFiles([...fm.querySelector('input[type=file]').files]), v));
  const manual = form('screen-form', [
    siteField(),
    field('id', 'Patient id', { required: true }),
    field('birth_date', 'Birth date', { type: 'date', required: true }),
    field('sex', 'Sex', { options: [['female', 'female'], ['male', 'male']] }),
    field('ecog', 'ECOG performance status', { type: 'number', min: 0, max: 4, step: 1 }),
    field('primary_site', 'Primary site', { options: [['', '—'], ['small_intestine', 'small intestine'], ['pancreas', 'pancreas'], ['stomach', 'stomach'], ['colon', 'colon'], ['rectum', 'rectum'], ['unknown', 'unknown']] }),
    field('grade', 'Grade', { options: [['', '—'], ['G1', 'G1'], ['G2', 'G2'], ['G3', 'G3']] }),
    field('ki67', 'Ki-67', { type: 'number', min: 0, max: 100, step: 0.1, unit: '%' }),
    field('diagnosis_date', 'Diagnosis date', { type: 'date' }),
    field('resection_date', 'Liver resection date', { type: 'date' }),
    field('margin', 'Resection margin', { options: [['', '—'], ['R0', 'R0'], ['R1', 'R1'], ['R2', 'R2']] }),
    field('lab_date', 'Date of the labs and ECOG', { type: 'date', value: f.today() }),
    field('platelets', 'Platelets', { type: 'number', step: 'any', unit: '10^9/L' }),
    field('neutrophils', 'Neutrophils', { type: 'number', step: 'any', unit: '10^9/L' }),
    field('hemoglobin', 'Haemoglobin', { type: 'number', step: 'any', unit: 'g/dL' }),
    field('creatinine', 'Creatinine', { type: 'number', step: 'any', unit: 'mg/dL' }),
    field('bilirubin', 'Total bilirubin', { type: 'number', step: 'any', unit: 'mg/dL' }),
    field('albumin', 'Albumin', { type: 'number', step: 'any', unit: 'g/dL' }),
    field('as_of', 'Screen as of', { type: 'date', hint: 'empty: today' }),
  ], 'Screen and store', (v) => enrol(documentFromForm(v), v));
  main.append(
    section('From a file', upload),
    h('details', {}, h('summary', {}, 'Or fill in a form'), manual),
    result);
}

export function criteria(scr) {
  const ev = (e) => h('li', {}, [e.concept, e.text ? `: ${e.text}` : '', e.value != null ? `: ${f.num(e.value, e.unit || '')}` : '',
    e.date ? [' on ', f.time(e.date)] : '', e.note ? ` (${e.note})` : '', h('br'), h('small', {}, e.source || '')]);
  return table(`Criteria (${scr.criteria.length})`, ['criterion', 'protocol text', 'status', 'reason', 'evidence'],
    scr.criteria.map((c) => [`${c.id} (${c.kind})`, c.text, badge(c.status), f.words(c.reason),
      c.evidence.length ? h('ul', { class: 'evidence' }, c.evidence.map(ev)) : 'none recorded']), { class: 'criteria' });
}

export function missing(scr) {
  const unknown = scr.criteria.filter((c) => c.status === 'unknown');
  if (!unknown.length) return h('p', {}, 'Nothing is missing: every criterion could be decided.');
  return h('div', { class: 'missing' }, h('h3', {}, 'What is missing to decide'),
    h('ul', {}, unknown.map((c) => h('li', {}, h('strong', {}, c.id), `: ${f.words(c.reason).toLowerCase()} — ${c.text}`))));
}

function show(r) {
  const scr = r.screening;
  return [
    h('h2', { tabindex: '-1' }, `${r.patient} at ${r.site}: `, badge(r.verdict)),
    h('p', {}, 'Screened as of ', f.time(scr.as_of), ` against ${scr.protocol} ${scr.version}. `,
      h('a', { href: `#/patient/${encodeURIComponent(r.patient)}` }, `Open ${r.patient} (consent, confirmation, randomisation)`)),
    missing(scr),
    criteria(scr),
  ];
}
