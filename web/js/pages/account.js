// Your account: change your password, set up (or replace) and remove the second factor
// (POST /api/v1/users/me/password, POST and DELETE /api/v1/users/me/totp). Every form asks for
// the password again: a session left open on a shared computer is not enough to take the
// account over. The otpauth URI is shown once, as a QR code for the authenticator app's camera
// and as text beside the secret (for an app that takes it typed or pasted).
import { h, s, section, announce } from '../dom.js';
import { qrcode } from '../vendor/qrcode-generator/qrcode.mjs';
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
          h('dt', {}, 'QR code (scan it with the app)'), h('dd', {}, qr(r.otpauth_uri)),
          h('dt', {}, 'otpauth URI (or paste it)'), h('dd', {}, h('code', { class: 'uri' }, r.otpauth_uri))));
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

// The URI as a QR code (error correction M, the smallest version that holds it), drawn as one
// SVG path of the dark modules with the four-module quiet zone a reader needs; black on white
// whatever the page's colours, as cameras expect.
export function qr(text) {
  const q = qrcode(0, 'M');
  q.addData(text);
  q.make();
  const n = q.getModuleCount(), quiet = 4, size = n + 2 * quiet;
  let d = '';
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) if (q.isDark(r, c)) d += `M${c + quiet},${r + quiet}h1v1h-1z`;
  return s('svg', { viewBox: `0 0 ${size} ${size}`, class: 'qr', role: 'img', 'aria-labelledby': 'qr-t', 'data-modules': String(n), 'shape-rendering': 'crispEdges' },
    s('title', { id: 'qr-t' }, 'QR code of the otpauth URI shown below'),
    s('rect', { width: size, height: size, fill: '#fff' }),
    s('path', { d, fill: '#000' }));
}
