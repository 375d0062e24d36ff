// Administration (admin): the sites and users of the trial, adding them, switching a user off
// and on, changing a user's role and sites or password, and API tokens (the secret shown once,
// the list with revocation).
import { h, section, table, badge } from '../dom.js';
import { opForm } from '../opform.js';
import { field, form } from '../forms.js';
import * as f from '../fmt.js';
import { lockSection } from '../sign.js';

export async function render(main, ctx) {
  const { api, me, go } = ctx;
  main.append(h('h1', {}, 'Administration'));
  const t = await api.get('/api/v1/trial');
  const again = () => go(location.hash);
  const roles = ['coordinator', 'investigator', 'nuclear_medicine', 'statistician', 'monitor', 'unblinded_statistician', 'safety_committee', 'admin'];
  main.append(
    section('Sites', table(`Sites (${t.sites.length})`, ['code', 'name'], t.sites.map((s) => [s.code, s.name])),
      await opForm('sites.add', { me, key: 'site-add', submit: 'Add the site', done: again })),
    section('Users', table(`Users (${t.users.length})`, ['name', 'role', 'sites', 'active'],
      t.users.map((u) => [u.name, f.words(u.role), u.sites.includes('*') ? 'all sites' : u.sites.join(', '), badge(u.active ? 'active' : 'inactive', u.active ? 'ok' : 'dev')])),
    await opForm('users.add', { me, key: 'user-add', submit: 'Add the user', order: ['name', 'role', 'sites', 'all_sites'],
      options: { role: roles.map((r) => [r, f.words(r)]) }, labels: { sites: 'Sites (JSON list, e.g. ["S1"])', os_users: 'OS accounts (JSON list)' }, done: again }),
    switchForm(api, t.users, again),
    rightsForm(api, t.users, roles, again),
    passwordForm(api, t.users, me)),
    section('API tokens', await tokenTable(api, again), h('div', { id: 'token-out', role: 'status' }),
      await opForm('tokens.create', { me, key: 'token-create', submit: 'Create a token', labels: { for: 'For user', expires: 'Expires after' }, units: { expires: 'days' },
        done: (r) => { document.getElementById('token-out').replaceChildren(h('p', { class: 'notice' }, 'The token, shown this once: ', h('code', {}, r.token || JSON.stringify(r)))); } })),
    await lockSection(ctx, again));
}

function switchForm(api, users, again) {
  return form('user-switch', [
    field('name', 'User', { options: users.map((u) => [u.name, `${u.name} (${u.active ? 'active' : 'inactive'})`]) }),
    field('action', 'Action', { options: [['deactivate', 'switch off'], ['activate', 'switch on']] }),
    field('reason', 'Reason'),
  ], 'Apply', async (v) => {
    await api.post(`/api/v1/users/${encodeURIComponent(v.name)}/${v.action}`, v.reason ? { reason: v.reason } : {});
    again();
  });
}

function userOptions(users) {
  return users.map((u) => [u.name, `${u.name} (${f.words(u.role)})`]);
}

// A user's role and sites (users.set): what is left empty is kept; the sessions and tokens of
// the user act with the new rights from their next request.
function rightsForm(api, users, roles, again) {
  return h('div', {}, h('h3', {}, "Change a user's role or sites"), form('user-rights', [
    field('name', 'User', { options: userOptions(users) }),
    field('role', 'New role', { options: [['', '(keep the role)'], ...roles.map((r) => [r, f.words(r)])] }),
    field('sites', 'New sites', { hint: 'site codes separated by commas, e.g. S1, S2 (empty: keep them)' }),
    field('all_sites', 'Every site', { type: 'checkbox' }),
    field('reason', 'Reason', { hint: 'why, for the audit trail' }),
  ], 'Change the rights', async (v) => {
    const body = {};
    if (v.role) body.role = v.role;
    if (v.sites) body.sites = v.sites.split(',').map((x) => x.trim()).filter(Boolean);
    if (v.all_sites) body.all_sites = true;
    if (v.reason) body.reason = v.reason;
    await api.put(`/api/v1/users/${encodeURIComponent(v.name)}`, body);
    again();
  }));
}

// Another user's password (users.set_password): the admin's own goes through the account page,
// which asks for the current one.
function passwordForm(api, users, me) {
  const out = h('p', { role: 'status', class: 'notice', hidden: true });
  return h('div', {}, h('h3', {}, "Set another user's password"), form('user-password', [
    field('name', 'User', { options: userOptions(users.filter((u) => u.name !== me.user)) }),
    field('password', 'New password', { type: 'password', hint: '12 to 128 characters, not a common password; the user\'s sessions end' }),
  ], 'Set the password', async (v, fm) => {
    await api.put(`/api/v1/users/${encodeURIComponent(v.name)}/password`, { password: v.password });
    fm.reset();
    out.textContent = `The password of ${v.name} is set; their sessions have ended.`;
    out.hidden = false;
  }, out));
}

// The tokens (tokens.list: everyone's for an admin), never their secret; an active one can be
// revoked (tokens.revoke).
async function tokenTable(api, again) {
  const t = await api.get('/api/v1/tokens');
  return table(`Tokens (${t.count})`, ['id', 'user', 'created', 'expires', 'last used', 'state', ''],
    t.tokens.map((k) => [k.id, k.user, f.time(k.created),
      k.expires ? f.time(k.expires) : 'until revoked',
      k.last_used ? f.time(k.last_used) : 'never',
      badge(k.state, k.state === 'active' ? 'ok' : 'dev'),
      k.state === 'active' ? h('button', { type: 'button', class: 'link', 'data-token': k.id, onclick: async () => { await api.del(`/api/v1/tokens/${encodeURIComponent(k.id)}`); again(); } }, `Revoke ${k.id}`) : '']));
}
