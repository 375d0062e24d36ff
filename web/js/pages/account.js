// Your account: change your password, set up (or replace) and remove the second factor
// (POST /api/v1/users/me/password, POST and DELETE /api/v1/users/me/totp). Every form asks for
// the password again: a session left open on a shared computer is not enough to take the
// account over. The otpauth URI and the secret are shown once, as text (an authenticator app
// takes either typed or pasted; no QR code library is shipped).
import { h, section, announce } from '../dom.js';
import { field, form } from '../forms.js';
import { Problem } from '../api.js';

export function render(main, ctx) {
  const { api, me } = ctx;
  main.append(h('h1', {}, 'Your account'), h('p', {}, `Signed in as ${me.user}.`));

  const changed = h('p', { role: 'status', class: 'notice', hidden: true });
  main.append(section('Change password',
    h('p', { class: 'hint' }, 'At least 12 characters, and not one of the common passwords. Your other sessions (other browsers, other computers) end; this one stays.'),
    form('account-password', [
      field('current', 'Current password', { type: 'password', required: true, autocomplete: 'current-password' }),
      field('new', 'New password', { type: 'password', required: true, autocomplete: 'new-password' }),
      field('again', 'New password again', { type: 'password', required: true, autocomplete: 'new-password' }),
    ], 'Change password', async (v, f) => {
      if (v.new !== v.again) throw new Problem({ detail: 'the two entries of the new password differ', param: 'again' });
      const r = await api.post('/api/v1/users/me/password', { current: v.current, new: v.new });
      f.reset();
      changed.textContent = `Password changed. ${r.other_sessions_ended} other session${r.other_sessions_ended === 1 ? '' : 's'} ended.`;
      changed.hidden = false;
      announce(changed.textContent);
    }),
    changed));

  const shown = h('div', { class: 'once', hidden: true });
  main.append(section('Second factor (one-time codes)',
    h('p', { class: 'hint' }, 'With a second factor, signing in needs the 6-digit code of an authenticator app besides the password. To replace a factor you already have, give its current code too (setting up the first one needs none).'),
    form('account-totp', [
      field('password', 'Password', { type: 'password', required: true, autocomplete: 'current-password' }),
      field('code', 'Current code', { autocomplete: 'one-time-code', inputmode: 'numeric' }),
    ], 'Set up second factor', async (v, f) => {
      const body = { password: v.password };
      if (v.code) body.code = v.code;
      const r = await api.post('/api/v1/users/me/totp', body);
      f.reset();
      shown.replaceChildren(
        h('p', {}, 'Add this to your authenticator app now: it is shown only this once. From your next sign-in on, the app\'s code is needed.'),
        h('dl', {},
          h('dt', {}, 'Secret (type it into the app)'), h('dd', {}, h('code', { class: 'secret' }, r.secret)),
          h('dt', {}, 'otpauth URI (paste it, or make a QR code of it on this computer)'), h('dd', {}, h('code', { class: 'uri' }, r.otpauth_uri))));
      shown.hidden = false;
      announce('Second factor set up');
    }),
    shown,
    h('h3', {}, 'Remove the second factor'),
    form('account-totp-remove', [
      field('password', 'Password', { type: 'password', required: true, autocomplete: 'current-password' }),
      field('code', 'Current code', { required: true, autocomplete: 'one-time-code', inputmode: 'numeric' }),
    ], 'Remove second factor', async (v, f) => {
      await api.del('/api/v1/users/me/totp', { password: v.password, code: v.code });
      f.reset();
      shown.replaceChildren(h('p', {}, 'Second factor removed: signing in needs the password alone.'));
      shown.hidden = false;
      announce('Second factor removed');
    })));
}
