// Sign in, with the one-time code of a second factor where the user has one: the server's one
// answer for a wrong name, password or code or a locked account (it never says which), and the
// notice that a session ended.
import { h } from '../dom.js';
import { field, form } from '../forms.js';
import { signIn } from '../api.js';

export function render(main, ctx) {
  main.append(h('h1', {}, 'Sign in'));
  if (ctx.ended)
    main.append(h('p', { class: 'notice', role: 'status' },
      'Your session has ended (30 minutes without use, or 12 hours after signing in). Sign in again: what you were typing is kept.'));
  main.append(form('signin', [
    field('user', 'User name', { required: true, autocomplete: 'username' }),
    field('password', 'Password', { type: 'password', required: true, autocomplete: 'current-password' }),
    field('totp', 'One-time code', { autocomplete: 'one-time-code', inputmode: 'numeric', hint: 'only if your account has a second factor (6 digits from your authenticator app)' }),
  ], 'Sign in', async (v) => {
    await signIn(v.user, v.password, v.totp);
    await ctx.done();
  }, h('p', { class: 'hint' }, 'After 5 failed attempts in a row an account is locked for 15 minutes.')));
  main.querySelector('input').focus();
}
