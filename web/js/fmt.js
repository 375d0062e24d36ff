// Dates are stored and sent as ISO days (YYYY-MM-DD) and shown as the browser's locale writes
// them; every number is shown with its unit.

const dayFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
const timeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function day(iso) {
  if (!iso) return '—';
  const d = new Date(iso.length === 10 ? iso + 'T00:00:00Z' : iso);
  return Number.isNaN(d.getTime()) ? iso : dayFmt.format(d);
}
export function instant(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeFmt.format(d);
}
// an instant in UTC whatever the browser's zone, for what is stated in UTC (a signature's time,
// 21 CFR 11.50): a <time> element, "Dec 3, 2026, 18:06:12 UTC"
const utcFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium', hourCycle: 'h23', timeZone: 'UTC' });
export function utc(iso) {
  const t = document.createElement('time');
  const d = new Date(iso || '');
  if (iso) t.dateTime = iso;
  t.textContent = Number.isNaN(d.getTime()) ? (iso || '—') : `${utcFmt.format(d)} UTC`;
  return t;
}
// a <time> element: the locale's writing, the ISO value for machines
export function time(iso) {
  const t = document.createElement('time');
  if (iso) t.dateTime = iso;
  t.textContent = iso && iso.length > 10 ? instant(iso) : day(iso);
  return t;
}
export function num(v, unit, digits) {
  if (v == null || Number.isNaN(v)) return '—';
  const s = typeof v === 'number'
    ? new Intl.NumberFormat(undefined, { maximumFractionDigits: digits ?? 3 }).format(v) : String(v);
  return unit ? `${s} ${unit}` : s;
}
export const today = () => new Date().toISOString().slice(0, 10);
export function addDays(iso, n) {
  const d = new Date(iso + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
export const daysBetween = (a, b) => Math.round((Date.parse(b + 'T00:00:00Z') - Date.parse(a + 'T00:00:00Z')) / 864e5);
// snake_case names as words
export const words = (s) => (s || '').replace(/_/g, ' ');
// "1 patient", "3 patients"
export function count(n, one, many) {
  return `${new Intl.NumberFormat(undefined).format(n)} ${n === 1 ? one : many || one + 's'}`;
}
