// The Kaplan-Meier plot of the server's estimates (GET /api/v1/endpoints/ID/km): each arm's
// survival as steps, a tick where a patient was censored, the numbers at risk under the time
// axis, the arms coloured with a legend. Nothing is estimated here: the steps, ticks and
// numbers at risk are the answer's time, surv, n.censor and n.risk.
import { s, h } from './dom.js';

// the swatches' colours (style.css .swatch[data-c]), each at least 3:1 on white
export const ARM_COLOURS = ['#1f5f8b', '#b5452b', '#2e7d32', '#6a3d9a', '#8a6d00', '#00838f'];

// The arm's name for a curve's label ("arm=B", or "arm=B, primary_site=liver" with strata).
export function curveName(label, arms) {
  return label.split(', ').map((part) => {
    const [k, v] = part.split('=');
    const a = k === 'arm' && arms.find((x) => x.id === v);
    return a ? `${a.name} (${a.id})` : part;
  }).join(', ');
}

// n at risk at time t: R's summary(fit, times = t), the risk set of the first time >= t
export function atRisk(curve, t) {
  const i = curve.time.findIndex((x) => x >= t);
  return i < 0 ? 0 : curve['n.risk'][i];
}

// Rounded ticks from 0 to the first one at or past max months: steps of 3, 6, 12, 24 or more,
// at most about 8 of them.
export function timeTicks(max) {
  let step = 3;
  for (const st of [3, 6, 12, 24, 36, 60, 120]) { step = st; if (max / st <= 8) break; }
  const t = [0];
  while (t[t.length - 1] < max - 1e-9) t.push(t[t.length - 1] + step);
  return t;
}

export function kmPlot(km, arms, o = {}) {
  const curves = km.curves;
  const W = 760, L = 64, R = 24, T = 16, PH = 240, ROW = 18;
  const riskTop = T + PH + 44; // below the axis labels
  const H = riskTop + 22 + ROW * curves.length + 8;
  const tmax = Math.max(1, ...curves.map((c) => c.time[c.time.length - 1] || 0));
  const ticks = timeTicks(tmax);
  const x1 = ticks[ticks.length - 1];
  const X = (x) => L + (x / x1) * (W - L - R);
  const Y = (y) => T + (1 - y) * PH;
  const id = o.id || 'km';
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${id}-t`, class: 'plot km', id },
    s('title', { id: `${id}-t` }, o.title || 'Kaplan-Meier estimate'));
  for (let k = 0; k <= 4; k++) {
    const y = k / 4;
    svg.append(s('line', { x1: L, y1: Y(y), x2: W - R, y2: Y(y), class: 'grid' }),
      s('text', { x: L - 6, y: Y(y) + 4, 'text-anchor': 'end', class: 'tick' }, `${y * 100}%`));
  }
  svg.append(s('line', { x1: L, y1: Y(0), x2: W - R, y2: Y(0), class: 'axis' }),
    s('line', { x1: L, y1: T, x2: L, y2: Y(0), class: 'axis' }));
  for (const t of ticks)
    svg.append(s('text', { x: X(t), y: Y(0) + 16, 'text-anchor': 'middle', class: 'tick' }, String(t)));
  svg.append(s('text', { x: (L + W - R) / 2, y: Y(0) + 34, 'text-anchor': 'middle', class: 'label' }, o.xlabel || 'Months'),
    s('text', { x: 14, y: T + PH / 2, 'text-anchor': 'middle', class: 'label', transform: `rotate(-90 14 ${T + PH / 2})` }, o.ylabel || 'Without event'));
  svg.append(s('text', { x: 4, y: riskTop + 10, class: 'label' }, 'Number at risk'));
  curves.forEach((c, i) => {
    const colour = ARM_COLOURS[i % ARM_COLOURS.length];
    // the curve starts at 1 at time 0 and drops at each event time
    let d = `M${X(0)},${Y(1)}`;
    for (let k = 0; k < c.time.length; k++) d += `H${X(c.time[k])}V${Y(c.surv[k])}`;
    const g = s('g', { class: 'curve', 'data-strata': c.strata });
    g.append(s('path', { d, fill: 'none', stroke: colour, 'stroke-width': 2, 'stroke-dasharray': i % 2 ? '7 3' : null }));
    for (let k = 0; k < c.time.length; k++)
      if (c['n.censor'][k] > 0)
        g.append(s('line', { x1: X(c.time[k]), x2: X(c.time[k]), y1: Y(c.surv[k]) - 5, y2: Y(c.surv[k]) + 5, stroke: colour, 'stroke-width': 1.5, class: 'censor' }));
    svg.append(g);
    const y = riskTop + 22 + ROW * i + 12;
    // the row's arm at the left edge, in its colour, apart from the numbers
    svg.append(s('text', { x: 14, y, class: 'tick arm', 'data-c': String(i % ARM_COLOURS.length) }, arms.find((a) => `arm=${a.id}` === c.strata)?.id || String(i + 1)));
    for (const t of ticks)
      svg.append(s('text', { x: X(t), y, 'text-anchor': 'middle', class: 'tick risk', 'data-time': String(t), 'data-strata': c.strata }, String(atRisk(c, t))));
  });
  const legend = h('ul', { class: 'legend' }, curves.map((c, i) =>
    h('li', {}, h('span', { class: 'swatch', 'data-c': String(i % ARM_COLOURS.length) }), curveName(c.strata, arms))));
  return h('figure', { class: 'figure' }, svg, legend,
    h('figcaption', {}, 'Steps: the estimate at each event; short vertical ticks: patients censored; under the axis: patients still at risk at each time.'));
}
