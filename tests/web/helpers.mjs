// Shared steps of the browser scenarios: signing in, waiting for a page to be drawn, axe-core,
// screenshots at the two sizes, and moving with the keyboard alone.
import { expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const PASSWORD = process.env.WEB_PASSWORD;
export const FILES = process.env.WEB_FILES;
const OUT = process.env.WEB_OUT || 'out';

// the page has drawn the route (app.js sets data-ready once a page is complete)
export async function drawn(page, hash) {
  await page.waitForFunction((h) => document.body.dataset.ready === h, hash);
}

// Collects what must never happen: a script error, a Content-Security-Policy refusal.
export function watch(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) errors.push(m.text()); });
  return errors;
}

export async function signIn(page, user, to = '#/dashboard') {
  await page.goto('/#/signin');
  await drawn(page, '#/signin');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await drawn(page, '#/dashboard');
  if (to !== '#/dashboard') { await page.goto('/' + to); await drawn(page, to); }
}

// axe-core on the page as it is: no serious or critical WCAG 2.1 A/AA finding
export async function axe(page, name) {
  await page.evaluate(axeSource);
  const r = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, `axe on ${name}`).toEqual([]);
  return r.violations.length;
}

// The page at 1366x768 and at 390x844 (a phone), into $WEB_OUT/screenshots; axe on the phone
// layout, where content reflows and wide tables scroll (WCAG 1.4.10), and which has every
// element of the wide one.
// With `at` (a locator), that part of the page is scrolled to the top at each size: the phone's
// reflow moves it.
export async function shot(page, name, at) {
  const top = async () => { if (at) await at.evaluate((e) => e.scrollIntoView({ block: 'start' })); };
  await top();
  await page.screenshot({ path: `${OUT}/screenshots/${name}-1366x768.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await top();
  await page.screenshot({ path: `${OUT}/screenshots/${name}-390x844.png` });
  await axe(page, `${name} at 390x844`);
  await page.setViewportSize({ width: 1366, height: 768 });
}

// Tab (forward) until the focused element matches selector: the keyboard alone, no clicks.
export async function tabTo(page, selector, max = 120) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

// types an ISO day into the focused date input as chromium's own language (en-US: mm dd yyyy)
// takes it, whatever the page's locale
export async function typeDay(page, iso) {
  const [y, m, d] = iso.split('-');
  await page.keyboard.type(`${m}${d}${y}`);
}

// whether the server offers an operation (its OpenAPI document): pages for operations that a
// server does not have are not shown, and their checks wait for a server that has them
export async function serverHas(page, operationId) {
  const doc = await (await page.request.get('/api/v1/openapi.json')).json();
  return Object.values(doc.paths).some((ops) => Object.values(ops).some((o) => o.operationId === operationId));
}
