// The page: a hash router over pages, each shown only to the roles that may use it; who the
// user is comes from the server (GET /api/v1/users/me), never from the page's own memory.
import * as api from './api.js';
import { h, announce } from './dom.js';
import { saveDrafts, restoreDrafts, pendingRoute } from './forms.js';

const ALL = ['admin', 'coordinator', 'investigator', 'nuclear_medicine', 'statistician', 'monitor', 'unblinded_statistician', 'safety_committee'];
const STATS = ['statistician', 'unblinded_statistician', 'safety_committee'];

// route, title, module, roles, the operation the page needs (absent from an older server: hidden)
const PAGES = [
  { path: 'dashboard', title: 'Dashboard', mod: './pages/dashboard.js', roles: ALL, nav: true },
  { path: 'screening', title: 'Screening', mod: './pages/screening.js', roles: ['coordinator', 'investigator'], nav: true, op: 'patients.enrol' },
  { path: 'patients', title: 'Patients', mod: './pages/patients.js', roles: ALL, nav: true },
  { path: 'patient', title: 'Patient', mod: './pages/patient.js', roles: ALL },
  { path: 'due', title: 'Due list', mod: './pages/due.js', roles: ALL, nav: true, op: 'due.list' },
  { path: 'listings', title: 'Listings', mod: './pages/listings.js', roles: ALL.filter((r) => r !== 'admin'), nav: true, op: 'list.labs' },
  { path: 'statistics', title: 'Statistics', mod: './pages/statistics.js', roles: STATS, nav: true, op: 'endpoints.dataset' },
  { path: 'audit', title: 'Audit trail', mod: './pages/audit.js', roles: ['admin', 'monitor'], nav: true, op: 'audit.verify' },
  { path: 'admin', title: 'Administration', mod: './pages/admin.js', roles: ['admin'], nav: true, op: 'users.add' },
  { path: 'account', title: 'Your account', mod: './pages/account.js', roles: ALL, op: 'users.password' },
];

let me = null;
const main = () => document.getElementById('main');

function parse() {
  const [path, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const [p, q] = (path || 'dashboard').split('?');
  return { path: p, args: rest.map(decodeURIComponent), query: new URLSearchParams(location.hash.split('?')[1] || '') };
}

export function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }

// When the session ends (idle, absolute limit, signed out elsewhere) the forms of the page are
// kept and the user is sent to sign in, then back to the same place with what was typed.
api.whenSignedOut(() => {
  if (!me) return;
  me = null;
  saveDrafts(location.hash);
  sessionStorage.setItem('lutetia.ended', '1');
  go('#/signin');
});

async function available(p) {
  if (!p.roles.includes(me.role)) return false;
  return !p.op || api.has(p.op);
}

async function renderNav() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  nav.replaceChildren();
  who.replaceChildren();
  if (!me) return;
  const cur = parse().path;
  const links = [];
  for (const p of PAGES) if (p.nav && await available(p))
    links.push(h('li', {}, h('a', { href: `#/${p.path}`, 'aria-current': cur === p.path ? 'page' : null }, p.title)));
  nav.append(h('ul', {}, links));
  const acct = PAGES.find((p) => p.path === 'account');
  who.append(
    h('span', {}, `${me.user} · ${me.role.replace(/_/g, ' ')} · ${me.sites.includes('*') ? 'all sites' : me.sites.join(', ')}`),
    (await available(acct)) ? h('a', { href: '#/account', 'aria-current': cur === 'account' ? 'page' : null }, 'Your account') : '',
    h('button', { type: 'button', class: 'link', onclick: async () => { await api.signOut().catch(() => {}); me = null; go('#/signin'); } }, 'Sign out'));
}

async function route() {
  const r = parse();
  const m = main();
  if (r.path === 'signin' || !api.csrf()) {
    me = null;
    await renderNav();
    const { render } = await import('./pages/signin.js');
    document.title = 'Sign in · Lutetia';
    m.replaceChildren();
    ready('#/signin');
    render(m, {
      ended: sessionStorage.getItem('lutetia.ended'),
      done: async () => {
        sessionStorage.removeItem('lutetia.ended');
        me = null;
        go(pendingRoute() || (r.path === 'signin' ? '#/dashboard' : location.hash));
      },
    });
    return;
  }
  try {
    if (!me) me = await api.get('/api/v1/users/me');
  } catch (e) { return; } // a 401 has sent us to sign in
  const page = PAGES.find((p) => p.path === r.path);
  await renderNav();
  m.replaceChildren();
  if (!page || !(await available(page))) {
    document.title = 'Not available · Lutetia';
    m.append(h('h1', {}, 'Not available'), h('p', {}, 'This page does not exist or your role may not use it.'), h('p', {}, h('a', { href: '#/dashboard' }, 'Back to the dashboard')));
    ready(location.hash);
    return;
  }
  document.title = `${page.title} · Lutetia`;
  const mod = await import(page.mod);
  try {
    await mod.render(m, { me, args: r.args, query: r.query, go, api });
    restoreDrafts(location.hash);
  } catch (e) {
    if (e.status === 401) return;
    m.append(h('p', { class: 'error', role: 'alert' }, e.message));
  }
  announce(`${page.title} loaded`);
  ready(location.hash);
}

// Marks the page as drawn (and when, in ms since the navigation started): the browser tests
// wait on it rather than on time, and measure with it.
function ready(hash) {
  document.body.dataset.readyAt = performance.now().toFixed(1);
  document.body.dataset.ready = hash;
}

window.addEventListener('hashchange', route);
route();
