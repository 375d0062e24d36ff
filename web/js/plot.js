// Plots drawn as inline SVG: step lines over time (enrolment, Kaplan-Meier) with axes, a legend
// and a text alternative, so that a screen reader gets the numbers the picture shows.
import { s, h } from './dom.js';

const COLOURS = ['#1f5f8b', '#b5452b', '#2e7d32', '#6a3d9a', '#8a6d00', '#00838f'];

// series: [{name, points: [[x, y], ...] sorted by x}], x numeric; xfmt/yfmt label ticks.
export function steps(title, series, o = {}) {
  const W = 760, H = o.height || 260, L = 56, R = 48, T = 16, B = 40;
  const xs = series.flatMap((se) => se.points.map((p) => p[0]));
  const ys = series.flatMap((se) => se.points.map((p) => p[1]));
  const x0 = o.xmin ?? Math.min(...xs, 0), x1 = Math.max(...xs, x0 + 1);
  const y0 = o.ymin ?? 0, y1 = o.ymax ?? Math.max(...ys, 1);
  const X = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const Y = (y) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': o.id + '-t', class: 'plot' },
    s('title', { id: o.id + '-t' }, title));
  svg.append(s('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }),
    s('line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis' }));
  // counts take whole-number ticks
  const ystep = o.integer && y1 - y0 <= 4 ? 1 : (y1 - y0) / 4;
  for (let yv = y0; yv <= y1 + 1e-9; yv += ystep)
    svg.append(s('text', { x: L - 6, y: Y(yv) + 4, 'text-anchor': 'end', class: 'tick' }, (o.yfmt || String)(yv)),
      s('line', { x1: L, y1: Y(yv), x2: W - R, y2: Y(yv), class: 'grid' }));
  for (let i = 0; i <= 4; i++) {
    const xv = x0 + ((x1 - x0) * i) / 4;
    svg.append(s('text', { x: X(xv), y: H - B + 16, 'text-anchor': 'middle', class: 'tick' }, (o.xfmt || String)(xv)));
  }
  if (o.xlabel) svg.append(s('text', { x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle', class: 'label' }, o.xlabel));
  if (o.ylabel) svg.append(s('text', { x: 12, y: (T + H - B) / 2, 'text-anchor': 'middle', class: 'label', transform: `rotate(-90 12 ${(T + H - B) / 2})` }, o.ylabel));
  series.forEach((se, i) => {
    let d = '';
    let last = null;
    for (const [x, y] of se.points) {
      d += last === null ? `M${X(x)},${Y(y)}` : `H${X(x)}V${Y(y)}`;
      last = y;
    }
    if (o.extend && se.points.length) d += `H${X(x1)}`;
    const c = COLOURS[i % COLOURS.length];
    svg.append(s('path', { d, fill: 'none', stroke: c, 'stroke-width': 2, 'stroke-dasharray': i % 2 ? '6 3' : null }));
    for (const m of se.marks || []) svg.append(s('line', { x1: X(m[0]), x2: X(m[0]), y1: Y(m[1]) - 4, y2: Y(m[1]) + 4, stroke: c }));
  });
  const legend = h('ul', { class: 'legend' }, series.map((se, i) =>
    h('li', {}, h('span', { class: 'swatch', style: null, 'data-c': String(i % COLOURS.length) }), se.name)));
  return h('figure', { class: 'figure' }, svg, legend, o.caption ? h('figcaption', {}, o.caption) : null);
}
