// Administration (admin): the sites and users of the trial, adding them, switching a user off
// and on, and API tokens (the secret shown once).
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
    switchForm(api, t.users, again)),
    section('API tokens', h('div', { id: 'token-out', role: 'status' }),
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
