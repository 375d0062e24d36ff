// Statistics (statisticians, the safety committee): an endpoint's survival by arm (the
// Kaplan-Meier plot with numbers at risk, the log-rank test, the Cox hazard ratio of the
// experimental arm against the reference), its analysis dataset as the server derives it from
// the store (time, event, arm, strata per patient) and the proportion endpoints with their exact
// intervals. Every figure is the server's (rows analyse.km, analyse.logrank, analyse.cox, the
// same as `lutetia analyse ... --json`): the page never computes its own.
import { h, section, table } from '../dom.js';
import { kmPlot, curveName } from '../km.js';
import { field, form } from '../forms.js';
import { opForm } from '../opform.js';
import * as f from '../fmt.js';
import { lockSection } from '../sign.js';

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

// three significant digits, as the figures are read; the test checks the same rounding
export const sig = (v) => (v == null ? 'not estimable' : Number(v).toPrecision(3));
const pval = (p) => (p == null ? 'not estimable' : p < 0.001 ? '< 0.001' : Number(p).toPrecision(3));

function survivalOf(endpoint, cutoff, km, lr, cox) {
  const arms = km.arms || [];
  const out = [kmPlot(km, arms, { id: 'km-plot', title: `Kaplan-Meier estimate of ${endpoint} by arm${cutoff ? `, cut at ${cutoff}` : ''}` })];
  const pct = Math.round((km['conf.int'] || 0.95) * 100);
  out.push(table(`${endpoint}: patients, events and median (months) by arm`, ['Arm', 'Patients', 'Events', 'Median', `${pct}% CI`],
    km.curves.map((c) => [curveName(c.strata, arms), String(c.n), String(c.events), sig(c.median),
      `${sig(c['median.lower'])} to ${sig(c['median.upper'])}`])));
  if (lr && lr.error) out.push(h('p', { id: 'logrank' }, `Log-rank test: ${lr.error}`));
  else if (lr)
    out.push(h('p', { id: 'logrank' }, `Log-rank test${lr.stratified ? ' (stratified)' : ''}: chi-square `,
      h('strong', { id: 'logrank-chisq' }, sig(lr.chisq)), ` on ${lr.df} degree${lr.df === 1 ? '' : 's'} of freedom, p = `,
      h('strong', { id: 'logrank-p' }, pval(lr.p)), '.'));
  if (cox && cox.error) out.push(h('p', { id: 'cox' }, `Cox model: ${cox.error}`));
  else if (cox) {
    // the coefficients are the arm indicators arm_<ID>: each arm against the reference, as the
    // protocol states its hypothesis (experimental against control)
    const ref = arms.find((a) => a.reference);
    const lvl = Math.round((cox['conf.int'] || 0.95) * 100);
    out.push(h('ul', { id: 'cox' }, cox.coefficients.map((c) => {
      const arm = arms.find((a) => `arm_${a.id}` === c.name);
      const who = arm && ref ? `${arm.name} (${arm.id}) against ${ref.name} (${ref.id})` : c.name;
      return h('li', { 'data-name': c.name }, `Cox hazard ratio, ${who}: `,
        h('strong', { class: 'hr' }, sig(c['exp(coef)'])), ` (${lvl}% CI `, h('span', { class: 'lower' }, sig(c.lower)), ' to ',
        h('span', { class: 'upper' }, sig(c.upper)), `), p = ${pval(c.p)}; below 1 favours ${arm ? arm.name : c.name}.`,
        // an arm without events (or events all before the other's) has no finite ratio
        c.infinite ? h('strong', { class: 'warn' }, ' Not estimable: the hazard ratio tends to 0 or infinity (too few events in an arm).') : null);
    })));
  }
  return out;
}

// The restricted mean survival time up to tau months by arm (the area under each Kaplan-Meier
// curve) and each arm's difference from the reference with its interval (analyse.rmst): months
// gained or lost on average within the horizon, which needs no proportional hazards.
function rmstOf(endpoint, r) {
  const arms = r.arms || [];
  const lvl = Math.round((r['conf.int'] || 0.95) * 100);
  const name = (strata) => curveName(strata, arms);
  return [
    h('p', { id: 'rmst-tau' }, `Horizon tau = ${f.num(r.tau, 'months')}; ${r.n} patients${r.dropped ? `, ${r.dropped} left out` : ''}.`),
    table(`${endpoint}: restricted mean survival time up to ${f.num(r.tau, 'months')}, by arm`, ['Arm', 'Patients', 'Events', 'RMST (months)', `${lvl}% CI (months)`],
      r.curves.map((c) => [name(c.strata), String(c.n), String(c.events), h('span', { class: 'rmean' }, sig(c.rmean)),
        h('span', { class: 'ci' }, `${sig(c.lower)} to ${sig(c.upper)}`)])),
    table(`${endpoint}: difference in RMST from the reference arm (months)`, ['Arm', 'Against', 'Difference (months)', `${lvl}% CI (months)`, 'p'],
      r.differences.map((d) => [name(d.strata), name(d.reference), h('span', { class: 'diff' }, sig(d.diff)),
        h('span', { class: 'ci' }, `${sig(d.lower)} to ${sig(d.upper)}`), pval(d.p)])),
    h('p', { class: 'hint' }, 'A positive difference: patients of the arm lived that many months longer without the event, on average, within the horizon.'),
  ];
}

export async function render(main, { api, me, go }) {
  main.append(h('h1', {}, 'Statistics'));
  const [hasKm, hasLr, hasCox] = await Promise.all(['analyse.km', 'analyse.logrank', 'analyse.cox'].map((o) => api.has(o)));
  if (hasKm) {
    const sv = h('div', { id: 'survival' });
    const survival = form('survival', [
      field('endpoint', 'Endpoint', { required: true, value: 'DFS', hint: "a time-to-event endpoint of the protocol (DFS, OS, PFS)" }),
      field('cutoff', 'Cut-off day', { type: 'date' }),
    ], 'Show the survival', async (v) => {
      const path = `/api/v1/endpoints/${encodeURIComponent(v.endpoint)}`;
      const q = { cutoff: v.cutoff };
      // the test and the model need two arms with events: without them the curves still show,
      // with the server's reason in their place
      const why = (e) => ({ error: e.message });
      const [km, lr, cox] = await Promise.all([api.get(`${path}/km`, q),
        hasLr ? api.get(`${path}/logrank`, q).catch(why) : null,
        hasCox ? api.get(`${path}/cox`, q).catch(why) : null]);
      sv.replaceChildren(...survivalOf(v.endpoint, v.cutoff, km, lr, cox));
    });
    main.append(section('Survival by arm', survival, sv));
  }
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
  if (await api.has('analyse.rmst')) {
    const out = h('div', { id: 'rmst' });
    main.append(section('Restricted mean survival time', form('rmst', [
      field('endpoint', 'Endpoint', { required: true, value: 'OS', hint: 'a time-to-event endpoint of the protocol (DFS, OS, PFS)' }),
      field('tau', 'Horizon tau', { type: 'number', step: 'any', min: '0', unit: 'months', hint: 'empty: the largest follow-up time of any patient' }),
      field('conf_level', 'Confidence level', { type: 'number', step: 'any', min: '0', max: '1', value: '0.95' }),
      field('cutoff', 'Cut-off day', { type: 'date' }),
    ], 'Show the RMST', async (v) => {
      const r = await api.get(`/api/v1/endpoints/${encodeURIComponent(v.endpoint)}/rmst`, { tau: v.tau, conf_level: v.conf_level, cutoff: v.cutoff });
      out.replaceChildren(...rmstOf(v.endpoint, r));
    }), out));
  }
  const lock = await lockSection({ api, me }, () => go(location.hash));
  if (lock) main.append(lock);
}
