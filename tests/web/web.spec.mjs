// The scenarios of issue 12 (section 3) in Debian's chromium against a real `lutetia serve`
// (tests/web/web.sh made the trial): each page checked by axe-core and photographed at two sizes.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { drawn, watch, signIn, shot, axe, tabTo, typeDay, serverHas, FILES, PASSWORD } from './helpers.mjs';
import { qrcode as qrEncoder } from '../../web/js/vendor/qrcode-generator/qrcode.mjs';

// one worker runs the tests in this order (playwright.config.mjs); they are not 'serial', so
// one failure does not hide the others' results
let errors;
test.beforeEach(({ page }) => { errors = watch(page); });
test.afterEach(() => { expect(errors, 'script errors or CSP refusals').toEqual([]); });

test('sign-in page: interactive within 300 ms, a refusal shown, no inline script', async ({ page }) => {
  const res = await page.goto('/');
  expect(res.headers()['content-security-policy']).toContain("script-src 'self'");
  await drawn(page, '#/signin');
  // from the start of navigation to a usable sign-in form: the best of five loads, as
  // benchmarks take it, since the machine that runs the tests is shared (two cores, other
  // builds) and a load that waited for a core says nothing about the page
  const times = [];
  for (let i = 0; i < 5; i++) {
    if (i) { await page.reload(); await drawn(page, '#/signin'); }
    times.push(Number(await page.evaluate(() => document.body.dataset.readyAt)));
  }
  const at = Math.min(...times);
  console.log(`first page interactive after ${at} ms (loads: ${times.join(', ')} ms)`);
  expect(at).toBeLessThan(300);
  await expect(page.getByLabel('User name')).toBeFocused();
  expect(await page.locator('script:not([src])').count()).toBe(0);
  await page.getByLabel('User name').fill('coord1');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText(/sign-in refused: wrong user name, password.* or the account is locked/);
  await expect(page.getByLabel('User name')).toHaveValue('coord1');
  await shot(page, 'signin');
});

test('a coordinator screens a patient from a FHIR file and records consent', async ({ page }) => {
  await signIn(page, 'coord1', '#/screening');
  await page.getByLabel(/Patient file/).setInputFiles(`${FILES}/fhir.json`);
  await page.getByLabel('Screen as of').first().fill('2026-11-01');
  await page.getByRole('button', { name: 'Screen and store' }).first().click();
  const result = page.locator('#screening-result');
  await expect(result.getByRole('heading', { level: 2 })).toContainText('nelmas-09 at S1');
  await expect(result.getByRole('heading', { level: 2 })).toContainText('needs review');
  // every criterion with status, reason and evidence; what is missing to decide
  await expect(result.locator('table.criteria tbody tr')).toHaveCount(25);
  await expect(result.locator('.missing')).toContainText('I4');
  await expect(result.locator('table.criteria')).toContainText('Observation/ecog');
  await shot(page, 'screening');
  await result.getByRole('link', { name: /Open nelmas-09/ }).click();
  await drawn(page, '#/patient/nelmas-09');
  await page.getByLabel('Date consent was given').fill('2026-11-01');
  await page.getByLabel('Consent form version').fill('v2');
  await page.getByRole('button', { name: 'Record consent' }).click();
  await expect(page.locator('.step').first()).toContainText('Consent form v2 signed on Nov 1, 2026');
});

test('an investigator cannot confirm a verdict that needs review: the message, the date kept', async ({ page }) => {
  await signIn(page, 'inv1', '#/patient/nelmas-09');
  await page.getByLabel('Date of confirmation').fill('2026-11-02');
  await page.getByRole('button', { name: 'Confirm eligibility' }).click();
  await expect(page.locator('form[data-draft=confirm] .form-error')).toContainText('needs_review');
  await expect(page.getByLabel('Date of confirmation')).toHaveValue('2026-11-02');
  await shot(page, 'patient-needs-review');
});

test('screen, consent, confirm and randomise with the keyboard alone', async ({ page }) => {
  test.setTimeout(180_000); // three sign-ins and many key presses on a shared machine
  // the file chooser is intercepted from the start: waiting for it only just before the key
  // press raced the interception's set-up, and the chooser then opened unseen (seen once in 6 runs)
  const chooser = new Promise((resolve) => page.once('filechooser', resolve));
  // the coordinator: sign in, screen W1 from its file, record consent
  await page.goto('/#/signin');
  await drawn(page, '#/signin');
  await page.keyboard.type('coord1');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await drawn(page, '#/dashboard');
  await tabTo(page, 'a[href="#/screening"]');
  await page.keyboard.press('Enter');
  await drawn(page, '#/screening');
  await tabTo(page, 'input[type=file]');
  await page.keyboard.press('Space');
  await (await chooser).setFiles(`${FILES}/W1.json`);
  await tabTo(page, 'input[name=as_of]');
  await typeDay(page, '2026-11-01');
  await tabTo(page, 'button[type=submit]');
  await page.keyboard.press('Enter');
  await expect(page.locator('#screening-result h2')).toContainText('W1 at S1: eligible');
  await expect(page.locator('#screening-result h2')).toBeFocused();
  await tabTo(page, 'a[href="#/patient/W1"]');
  await page.keyboard.press('Enter');
  await drawn(page, '#/patient/W1');
  await tabTo(page, 'form[data-draft=consent] input[name=date]');
  await typeDay(page, '2026-11-01');
  await tabTo(page, 'form[data-draft=consent] input[name=form]');
  await page.keyboard.type('v2');
  await page.keyboard.press('Enter');
  await expect(page.locator('.step').first()).toContainText('Consent form v2');
  await tabTo(page, 'button.link');
  await page.keyboard.press('Enter');
  await drawn(page, '#/signin');

  // the investigator: find W1 by search, confirm
  await page.keyboard.type('inv1');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await drawn(page, '#/dashboard');
  await tabTo(page, 'a[href="#/patients"]');
  await page.keyboard.press('Enter');
  await drawn(page, '#/patients');
  await tabTo(page, '#search');
  await page.keyboard.type('W1');
  await tabTo(page, 'a[href="#/patient/W1"]');
  await page.keyboard.press('Enter');
  await drawn(page, '#/patient/W1');
  await tabTo(page, 'form[data-draft=confirm] input[name=date]');
  await typeDay(page, '2026-11-02');
  await page.keyboard.press('Enter');
  await expect(page.locator('.step').nth(1)).toContainText('Confirmed by inv1');
  await tabTo(page, 'button.link');
  await page.keyboard.press('Enter');
  await drawn(page, '#/signin');

  // the coordinator randomises
  await page.keyboard.type('coord1');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await drawn(page, '#/dashboard');
  await page.goto('/#/patient/W1');
  await drawn(page, '#/patient/W1');
  await tabTo(page, 'form[data-draft=randomise] input[name=date]');
  await typeDay(page, '2026-11-03');
  await page.keyboard.press('Enter');
  await expect(page.locator('.step').nth(2)).toContainText(/Arm [AB], allocation number \d+/);
  await expect(page.locator('#sec-calendar')).toBeVisible();
  await shot(page, 'patient');
});

test('the investigator signs the confirmation electronically', async ({ page }) => {
  test.skip(!(await serverHas(page, 'signatures.confirm')), 'no signatures on this server');
  await signIn(page, 'inv1', '#/patient/W1');
  const sig = page.locator('form[data-draft=sign-confirm]');
  await sig.getByLabel(/User name/).fill('inv1');
  await sig.getByLabel('Password').fill('not-my-password');
  await sig.getByRole('button', { name: 'Sign the confirmation' }).click();
  await expect(sig.locator('[data-field=password] .field-error')).toContainText('wrong user name or password');
  await expect(sig.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
  await expect(sig.getByLabel(/User name/)).toHaveValue('inv1');
  await sig.getByLabel('Password').fill(PASSWORD);
  await sig.getByRole('button', { name: 'Sign the confirmation' }).click();
  await expect(page.locator('#flash')).toContainText('Signed: Irene Investigator (inv1, investigator)');
  await expect(page.locator('#flash')).toContainText('meaning approval');
  await expect(page.locator('.signature')).toContainText('valid Signed by Irene Investigator (inv1)');
  await expect(page.locator('form[data-draft=sign-confirm]')).toHaveCount(0);
  await shot(page, 'patient-signed');
});

test('a lab with platelets 62 is graded; a refused value is shown beside its field', async ({ page }) => {
  await signIn(page, 'coord1', '#/patient/W1');
  const lab = page.locator('form[data-draft=lab]');
  await lab.getByLabel('Date of the sample').fill('2026-11-02');
  await lab.getByLabel('Analyte').selectOption('platelets');
  await lab.getByLabel('Value').fill('99999');
  await lab.getByRole('button', { name: 'Record' }).click();
  await expect(lab.locator('[data-field=value] .field-error')).toBeVisible();
  await expect(lab.getByLabel('Value')).toHaveAttribute('aria-invalid', 'true');
  await expect(lab.getByLabel('Value')).toHaveValue('99999');
  await axe(page, 'a refused lab');
  await lab.getByLabel('Value').fill('62');
  await lab.getByRole('button', { name: 'Record' }).click();
  await expect(page.locator('#flash')).toContainText('platelets 62 10^9/L recorded: grade 2 (Platelet count decreased)');
  if (await serverHas(page, 'patients.casebook')) {
    await drawn(page, '#/patient/W1');
    await expect(page.locator('#sec-labs ~ div table')).toContainText('grade 2');
    await expect(page.locator('#sec-labs ~ div table')).toContainText('62 10^9/L');
  }
});

test('the dashboard, the patient list and the due list', async ({ page }) => {
  await signIn(page, 'coord1');
  await expect(page.locator('svg.plot')).toBeVisible();
  await expect(page.locator('.consort')).toContainText('screened');
  await shot(page, 'dashboard');
  await page.goto('/#/patients');
  await drawn(page, '#/patients');
  await expect(page.locator('table')).toContainText('W1');
  await shot(page, 'patients');
  await page.goto('/#/due?from=2026-11-01&to=2026-12-31');
  await drawn(page, '#/due?from=2026-11-01&to=2026-12-31');
  await expect(page.locator('table').first()).toContainText('W1');
  await shot(page, 'due');
});

test('a monitor reads the audit trail and verifies it', async ({ page }) => {
  await signIn(page, 'mon1', '#/audit');
  await page.getByRole('button', { name: 'Verify the trail' }).click();
  await expect(page.locator('#verify-result')).toContainText('is intact');
  await expect(page.locator('#verify-result')).toContainText('sealed randomisation seed matches');
  await shot(page, 'audit');
  // a coordinator has no audit page
  await page.goto('/#/signin');
  await signIn(page, 'coord1');
  await expect(page.locator('#nav')).not.toContainText('Audit trail');
  await page.goto('/#/audit');
  await drawn(page, '#/audit');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Not available');
});

test('a coordinator of another site cannot see the patient, by link or by search', async ({ page }) => {
  await signIn(page, 'coord2', '#/patient/W1');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Patient not found');
  await expect(page.locator('main')).not.toContainText('Arm');
  await page.goto('/#/patients');
  await drawn(page, '#/patients');
  await page.locator('#search').fill('W1');
  await expect(page.locator('#patient-table')).toContainText('No patient matches');
  await page.locator('#search').fill('');
  await expect(page.locator('#patient-table')).not.toContainText('W1');
  await expect(page.locator('#patient-table')).not.toContainText('LONG');
});

test('session expiry sends back to sign-in without losing the form', async ({ page, context }) => {
  await signIn(page, 'coord1', '#/patient/W1');
  const lab = page.locator('form[data-draft=lab]');
  await page.locator('#sec-labs ~ details').evaluate((d) => { d.open = true; });
  await lab.getByLabel('Date of the sample').fill('2026-11-20');
  await lab.getByLabel('Analyte').selectOption('neutrophils');
  await lab.getByLabel('Value').fill('1.4');
  // the session ends (the server answers 401 to a session it no longer knows)
  await context.clearCookies();
  await lab.getByRole('button', { name: 'Record' }).click();
  await drawn(page, '#/signin');
  await expect(page.locator('.notice')).toContainText('Your session has ended');
  await page.getByLabel('User name').fill('coord1');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await drawn(page, '#/patient/W1');
  await expect(lab.getByLabel('Value')).toHaveValue('1.4');
  await expect(lab.getByLabel('Analyte')).toHaveValue('neutrophils');
  await expect(lab.getByLabel('Date of the sample')).toHaveValue('2026-11-20');
});

test('a patient with five years of records is drawn within 500 ms', async ({ page }) => {
  await signIn(page, 'coord1');
  // from following the link to the drawn page (its requests included): the best of three, as
  // for the first page (the machine is shared)
  const times = [];
  for (let i = 0; i < 3; i++) {
    times.push(await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      new MutationObserver((_, o) => {
        if (document.body.dataset.ready === '#/patient/LONG') { o.disconnect(); resolve(performance.now() - t0); }
      }).observe(document.body, { attributes: true });
      location.hash = '#/patient/LONG';
    })));
    await page.evaluate(() => { location.hash = '#/dashboard'; });
    await drawn(page, '#/dashboard');
  }
  const ms = Math.min(...times);
  console.log(`five-year patient drawn in ${ms.toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')} ms)`);
  await page.evaluate(() => { location.hash = '#/patient/LONG'; });
  await drawn(page, '#/patient/LONG');
  await expect(page.locator('#sec-calendar ~ div table tbody tr').first()).toBeVisible();
  if (await serverHas(page, 'patients.casebook'))
    await expect(page.locator('#sec-labs ~ div table tbody tr')).toHaveCount(120);
  expect(ms).toBeLessThan(500);
  await shot(page, 'patient-five-years');
});

// ---- the operations of the records, listings and administration (where the server has them) ----

const D = process.env.DOSE_PATIENT;

async function openForm(page, key) {
  const fm = page.locator(`form[data-draft=${key}]`);
  await fm.evaluate((f) => { f.closest('details').open = true; });
  return fm;
}

test('nuclear medicine records an administration with decay correction', async ({ page }) => {
  test.skip(!(await serverHas(page, 'doses.administration')), 'no administration route on this server');
  await signIn(page, 'nuc1', `#/patient/${D}`);
  const adm = await openForm(page, 'administration');
  await adm.getByLabel('Cycle').fill('1');
  await adm.getByLabel('Prescribed').fill('7400');
  await adm.getByLabel('Activity measured before').fill('7550');
  await adm.getByLabel('Measured before at').fill('2025-11-04T08:30');
  await adm.getByLabel('Infusion start').fill('2025-11-04T09:00');
  await adm.getByLabel('Infusion end').fill('2025-11-04T09:30');
  await adm.getByLabel('Residual activity after').fill('150');
  await adm.getByLabel('Residual measured at').fill('2025-11-04T09:45');
  await adm.getByLabel('No ssa long').check();
  await adm.getByLabel('No ssa short').check();
  await adm.getByLabel('Amino start').fill('2025-11-04T08:15');
  await adm.getByLabel('Amino end').fill('2025-11-04T13:00');
  // the calculator agrees with what the server will store: 7550 MBq at 08:30 is 7533.6 MBq at 09:00
  await page.locator('#decay-a').fill('7550');
  await page.locator('#decay-t0').fill('2025-11-04T08:30');
  await page.locator('#decay-t1').fill('2025-11-04T09:00');
  await expect(page.locator('#decay-out')).toHaveText('7,533.6 MBq after 0.5 h');
  await adm.getByRole('button', { name: 'Record the administration' }).click();
  await expect(page.locator('#flash')).toContainText('Cycle 1 administered: 7,383.1 MBq at the infusion start (before 7,533.6 MBq, residual 150.5 MBq, decay-corrected)');
  await expect(page.locator('#sec-doses ~ div').nth(1)).toContainText('7.38 GBq');
  await shot(page, 'patient-doses');
});

test('platelets 62 make the next decision a withhold, within the window the calendar allows for toxicity', async ({ page }) => {
  test.skip(!(await serverHas(page, 'doses.decide')), 'no decision route on this server');
  await signIn(page, 'coord1', `#/patient/${D}`);
  const lab = await openForm(page, 'lab');
  await lab.getByLabel('Date of the sample').fill('2025-12-28');
  await lab.getByLabel('Analyte').selectOption('platelets');
  await lab.getByLabel('Value').fill('62');
  await lab.getByRole('button', { name: 'Record' }).click();
  await expect(page.locator('#flash')).toContainText('grade 2');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, 'inv1', `#/patient/${D}`);
  const c2 = page.locator('#sec-calendar ~ div table tbody tr', { has: page.locator('td:first-child', { hasText: /^C2$/ }) });
  const before = await c2.innerText();
  const dec = await openForm(page, 'decide');
  await dec.getByLabel('Cycle').fill('2');
  await dec.getByLabel('Date').fill('2025-12-29');
  await dec.getByRole('button', { name: 'Decide the dose' }).click();
  await expect(page.locator('#flash')).toContainText('Cycle 2: withhold');
  await expect(page.locator('#flash')).toContainText('platelets 62 10^9/L');
  await expect(page.locator('#sec-doses ~ div').first()).toContainText('withhold');
  // the calendar moves: cycle 2 is planned again from the decision, never before it and by
  // the 16 weeks after cycle 1 the protocol allows for toxicity, and the row says it was withheld
  expect(before).toContain('Dec 23, 2025 – Jan 6, 2026 (up to Feb 24, 2026 if delayed for toxicity)');
  await expect(c2).toContainText('Dec 29, 2025 – Feb 24, 2026');
  await expect(c2).toContainText('withheld on 2025-12-29');
  await expect(c2).not.toContainText('Dec 23, 2025 – Jan 6, 2026');
  expect(await c2.innerText()).not.toBe(before);
  await shot(page, 'patient-withheld', page.locator('#sec-calendar'));
});

test('listings with filters and a CSV download; another site sees none of them', async ({ page }) => {
  test.skip(!(await serverHas(page, 'list.labs')), 'no listings on this server');
  await signIn(page, 'coord1', '#/listings?kind=labs');
  await expect(page.locator('#listing table')).toContainText('W1');
  const filter = page.locator('form[data-draft=listing-labs]');
  await filter.getByLabel('Patient').fill('W1');
  await filter.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('#listing table')).not.toContainText('LONG');
  const dl = page.waitForEvent('download');
  await page.locator('#csv').click();
  const file = await (await dl).path();
  const { readFileSync } = await import('node:fs');
  const csv = readFileSync(file, 'utf8');
  expect(csv.split('\r\n')[0]).toContain('patient');
  expect(csv).toContain('W1,S1,2026-11-02,');
  expect(csv).not.toContain('LONG');
  await shot(page, 'listings');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, 'coord2', '#/listings?kind=labs');
  await expect(page.locator('#listing')).toContainText('No row matches');
});

test('the audit records for a monitor', async ({ page }) => {
  test.skip(!(await serverHas(page, 'audit.log')), 'no audit log on this server');
  await signIn(page, 'mon1', '#/audit');
  await expect(page.locator('#audit-records table')).toContainText('W1');
  const filter = page.locator('form[data-draft=audit-filter]');
  await filter.getByLabel('Patient').fill('W1');
  await filter.getByRole('button', { name: 'Show records' }).click();
  await expect(page.locator('#audit-records table tbody tr').first()).toContainText('W1');
  await expect(page.locator('#audit-records table')).not.toContainText('LONG');
  await shot(page, 'audit-records');
});

test('an admin adds a site and creates a token', async ({ page }) => {
  test.skip(!(await serverHas(page, 'sites.add')), 'no administration routes on this server');
  await signIn(page, 'admin', '#/admin');
  const site = page.locator('form[data-draft=site-add]');
  await site.getByLabel('Code').fill('S3');
  await site.getByLabel('Name').fill('Site three');
  await site.getByRole('button', { name: 'Add the site' }).click();
  await expect(page.locator('table').first()).toContainText('Site three');
  const tok = page.locator('form[data-draft=token-create]');
  await tok.getByLabel('Expires after').fill('1');
  await tok.getByRole('button', { name: 'Create a token' }).click();
  await expect(page.locator('#token-out')).toContainText(/ltk_[0-9a-f]{16}_[0-9a-f]{64}/);
  await shot(page, 'admin');
});

test('an admin changes a new user\'s role and sites and sets their password; the user signs in with its rights; a token is revoked', async ({ page }) => {
  test.skip(!(await serverHas(page, 'users.set')), 'no user rights route on this server');
  await signIn(page, 'admin', '#/admin');
  const add = page.locator('form[data-draft=user-add]');
  await add.getByLabel('Name').fill('coord9');
  await add.getByLabel('Role').selectOption('coordinator');
  await add.getByLabel('Sites (JSON list, e.g. ["S1"])').fill('["S1"]');
  await add.getByRole('button', { name: 'Add the user' }).click();
  const row = page.getByRole('region', { name: /^Users \(/ }).locator('tr', { hasText: 'coord9' });
  await expect(row).toContainText('coordinator');
  // to monitor at site 2: the users table shows it, and the user's pages follow
  const rights = page.locator('form[data-draft=user-rights]');
  await rights.getByLabel('User').selectOption('coord9');
  await rights.getByLabel('New role').selectOption('monitor');
  await rights.getByLabel('New sites').fill('S2');
  await rights.getByLabel('Reason').fill('moved to site 2 as its monitor');
  await rights.getByRole('button', { name: 'Change the rights' }).click();
  await expect(row).toContainText('monitor');
  await expect(row).toContainText('S2');
  await expect(row).not.toContainText('S1');
  // a common password is refused beside the field; a good one is set
  const pw = page.locator('form[data-draft=user-password]');
  await pw.getByLabel('User').selectOption('coord9');
  await pw.getByLabel('New password').fill('short');
  await pw.getByRole('button', { name: 'Set the password' }).click();
  await expect(pw.locator('[data-field=password] .field-error')).toContainText('12');
  await pw.getByLabel('New password').fill('quiet-harbour-lantern-58');
  await pw.getByRole('button', { name: 'Set the password' }).click();
  await expect(pw.getByRole('status')).toContainText('The password of coord9 is set');
  // the tokens, never their secret; the one the earlier scenario made is revoked here
  const tokens = page.getByRole('region', { name: /^Tokens \(/ });
  await expect(tokens).not.toContainText(/ltk_[0-9a-f]{16}_[0-9a-f]{64}/);
  const active = tokens.locator('tr', { hasText: 'active' }).first();
  const id = await active.locator('td').first().innerText();
  await tokens.getByRole('button', { name: `Revoke ${id}` }).click();
  await expect(page.getByRole('region', { name: /^Tokens \(/ }).locator('tr', { hasText: id })).toContainText('revoked');
  await shot(page, 'admin-users', page.getByRole('heading', { name: 'Users' }));
  // coord9 signs in with the new password as a monitor of site 2: W1 (site 1) is not there
  await page.getByRole('button', { name: 'Sign out' }).click();
  await drawn(page, '#/signin');
  await page.getByLabel('User name').fill('coord9');
  await page.getByLabel('Password').fill('quiet-harbour-lantern-58');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await drawn(page, '#/dashboard');
  await expect(page.locator('#who')).toContainText('coord9');
  await expect(page.locator('#who')).toContainText('monitor');
  await page.goto('/#/patient/W1');
  await drawn(page, '#/patient/W1');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Patient not found');
});

test('a statistician reads an endpoint dataset and the proportions', async ({ page }) => {
  test.skip(!(await serverHas(page, 'endpoints.dataset')), 'no endpoints on this server');
  await signIn(page, 'stat1', '#/statistics');
  await page.getByRole('button', { name: 'Show the dataset' }).click();
  await expect(page.locator('#dataset table')).toContainText('LONG');
  await shot(page, 'statistics-dataset');
});

test('a statistician sees overall survival by arm: the plot, log-rank and Cox are the API\'s', async ({ page }) => {
  test.skip(!(await serverHas(page, 'analyse.km')), 'no survival analyses on this server');
  await signIn(page, 'stat1', '#/statistics');
  const form = page.locator('form[data-draft=survival]');
  await form.getByLabel('Endpoint').fill('OS');
  await form.getByRole('button', { name: 'Show the survival' }).click();
  const plot = page.locator('#survival svg#km-plot');
  await expect(plot).toBeVisible();
  // the server's answers, through the same session
  const api = async (what) => {
    const r = await page.request.get(`/api/v1/endpoints/OS/${what}`);
    expect(r.status(), what).toBe(200);
    return r.json();
  };
  const [km, lr, cox] = [await api('km'), await api('logrank'), await api('cox')];
  expect(km.curves.length).toBe(2);
  const sig = (v) => (v == null ? 'not estimable' : Number(v).toPrecision(3));
  for (const c of km.curves) {
    const g = plot.locator(`g.curve[data-strata="${c.strata}"]`);
    // one vertical step per time point, one tick per time with a censored patient
    const d = await g.locator('path').getAttribute('d');
    expect((d.match(/V/g) || []).length).toBe(c.time.length);
    expect(await g.locator('line.censor').count()).toBe(c['n.censor'].filter((n) => n > 0).length);
    // numbers at risk under the axis: at 0 all the arm's patients, later the API's risk sets
    const risk = plot.locator(`text.risk[data-strata="${c.strata}"]`);
    await expect(risk.first()).toHaveText(String(c.n));
    for (let k = 0; k < await risk.count(); k++) {
      const t = Number(await risk.nth(k).getAttribute('data-time'));
      const i = c.time.findIndex((x) => x >= t);
      await expect(risk.nth(k)).toHaveText(String(i < 0 ? 0 : c['n.risk'][i]));
    }
  }
  // the legend names the arms by name, in the curves' colours
  const legend = page.locator('#survival .legend li');
  await expect(legend).toHaveCount(2);
  for (const [i, a] of km.arms.entries()) await expect(legend.nth(i)).toContainText(a.name);
  await expect(page.locator('#survival table')).toContainText(km.arms[1].name);
  await expect(page.locator('#logrank-chisq')).toHaveText(sig(lr.chisq));
  await expect(page.locator('#logrank-p')).toHaveText(lr.p < 0.001 ? '< 0.001' : sig(lr.p));
  // the hazard ratio of the experimental arm against the reference (the design's direction)
  const exp = km.arms.find((a) => !a.reference), ref = km.arms.find((a) => a.reference);
  expect(cox.coefficients[0].name).toBe(`arm_${exp.id}`);
  const li = page.locator(`#cox li[data-name="arm_${exp.id}"]`);
  await expect(li).toContainText(`${exp.name} (${exp.id}) against ${ref.name} (${ref.id})`);
  await expect(li.locator('.hr')).toHaveText(sig(cox.coefficients[0]['exp(coef)']));
  await expect(li.locator('.lower')).toHaveText(sig(cox.coefficients[0].lower));
  await expect(li.locator('.upper')).toHaveText(sig(cox.coefficients[0].upper));
  await plot.evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await shot(page, 'statistics');
});

test('a user changes the password on the account page, signs out and in with the new one', async ({ page }) => {
  test.skip(!(await serverHas(page, 'users.password')), 'the server has no users.password');
  const NEW = 'a-fresh-lantern-meadow-58';
  await signIn(page, 'ustat1');
  // linked from the header for every role
  await page.locator('#who').getByRole('link', { name: 'Your account' }).click();
  await drawn(page, '#/account');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
  // a wrong current password: the server's message beside the field, what was typed kept
  await page.getByLabel('Current password').fill('not-my-password-9');
  await page.getByLabel('New password', { exact: true }).fill(NEW);
  await page.getByLabel('New password again').fill(NEW);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('[data-field=current] .field-error')).toContainText('counts as a failed sign-in');
  await expect(page.getByLabel('New password', { exact: true })).toHaveValue(NEW);
  // a weak one: the rule named beside the new password
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill('short-pw');
  await page.getByLabel('New password again').fill('short-pw');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('[data-field=new] .field-error')).toContainText('at least 12 characters');
  await axe(page, 'the account page with a refusal');
  await page.getByLabel('New password', { exact: true }).fill(NEW);
  await page.getByLabel('New password again').fill(NEW);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#main p.notice')).toContainText('Password changed. 0 other sessions ended.');
  await shot(page, 'account');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await drawn(page, '#/signin');
  // the old password is refused, the new one signs in
  await page.getByLabel('User name').fill('ustat1');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('sign-in refused');
  await page.getByLabel('Password').fill(NEW);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await drawn(page, '#/dashboard');
  await expect(page.locator('#who')).toContainText('ustat1');
  // the second factor: set up with the password, the secret and the otpauth URI shown as text
  await page.goto('/#/account');
  await drawn(page, '#/account');
  const setup = page.locator('form[data-draft=account-totp]');
  await setup.getByLabel('Password').fill(NEW);
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/users/me/totp') && r.request().method() === 'POST');
  await setup.getByRole('button', { name: 'Set up second factor' }).click();
  const server = await (await answered).json();
  const secret = (await page.locator('.once code.secret').textContent()).trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  expect(secret).toBe(server.secret);
  await expect(page.locator('.once code.uri')).toHaveText(`otpauth://totp/Lutetia:ustat1?secret=${secret}&issuer=Lutetia&algorithm=SHA1&digits=6&period=30`);
  // the QR code beside it: an SVG whose dark modules are those of the server's URI encoded
  // again here with the same vendored encoder (no decoder is at hand), inside a quiet zone
  const qr = page.locator('.once svg.qr');
  await expect(qr).toBeVisible();
  await expect(qr).toHaveAccessibleName(/QR code of the otpauth URI/);
  const d = await qr.locator('path').getAttribute('d');
  const drawnModules = new Set([...d.matchAll(/M(\d+),(\d+)h1v1h-1z/g)].map((m) => `${m[1] - 4},${m[2] - 4}`));
  const q = qrEncoder(0, 'M');
  q.addData(server.otpauth_uri);
  q.make();
  const n = q.getModuleCount();
  await expect(qr).toHaveAttribute('data-modules', String(n));
  const expected = new Set();
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (q.isDark(r, c)) expected.add(`${c},${r}`);
  expect(drawnModules.size).toBeGreaterThan(100);
  expect([...drawnModules].sort()).toEqual([...expected].sort());
  await shot(page, 'account-second-factor', page.locator('.once'));
  // removed with the password and a code of the app (oathtool at the server's clock, which is
  // the system's here; the server takes a code one step early or late)
  const code = execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim();
  const remove = page.locator('form[data-draft=account-totp-remove]');
  await remove.getByLabel('Password').fill(NEW);
  await remove.getByLabel('Current code').fill(code);
  await remove.getByRole('button', { name: 'Remove second factor' }).click();
  await expect(page.locator('.once')).toContainText('Second factor removed');
});

// ---- electronic signatures of a dose decision, an adverse event and the casebook ----

// the value of a select's option whose text starts with prefix
async function optionStarting(select, prefix) {
  return select.evaluate((el, p) => [...el.options].find((o) => o.textContent.startsWith(p))?.value, prefix);
}

test('the investigator signs a dose decision and an adverse event; a correction shows the signature invalidated', async ({ page }) => {
  test.skip(!(await serverHas(page, 'signatures.ae')), 'no signatures of records on this server');
  await signIn(page, 'inv1', `#/patient/${D}`);
  const decisions = page.locator('#sec-doses ~ div').first();
  const c1 = decisions.locator('tbody tr', { has: page.locator('td:first-child', { hasText: /^1$/ }) });
  await expect(c1).toContainText('not signed');
  // the first signature of the sign-in: the user name with the password; a wrong one refused
  const dec = await openForm(page, 'sign-decision');
  await dec.getByLabel('Dose decision').selectOption(await optionStarting(dec.getByLabel('Dose decision'), 'cycle 1,'));
  await dec.getByLabel('Password').fill(PASSWORD);
  await dec.getByRole('button', { name: 'Sign the dose decision' }).click();
  await expect(dec.locator('.field-error:not([hidden]), .form-error:not([hidden])').first()).toContainText(/user name/);
  await dec.getByLabel(/User name/).fill('inv1');
  await dec.getByLabel('Password').fill(PASSWORD);
  await dec.getByRole('button', { name: 'Sign the dose decision' }).click();
  await expect(page.locator('#flash')).toContainText('Signed: Irene Investigator (inv1, investigator)');
  await expect(page.locator('#flash')).toContainText('meaning approval');
  await expect(c1.locator('.sig-status')).toContainText('valid Irene Investigator');
  // an adverse event recorded, then signed with the password alone (the session's second)
  const ae = await openForm(page, 'aes');
  await ae.getByLabel('CTCAE v5.0 term').fill('Nausea');
  await ae.getByLabel('CTCAE grade').fill('1');
  await ae.getByLabel('Start').fill('2025-11-10');
  await ae.getByLabel('Related').selectOption('possible');
  await ae.getByRole('button', { name: 'Record an adverse event' }).click();
  await expect(page.locator('#flash')).toContainText('Adverse events: recorded.');
  const sig = await openForm(page, 'sign-ae');
  const id = await optionStarting(sig.getByLabel('Adverse event'), 'Nausea grade 1');
  expect(id).toMatch(new RegExp(`^${D}/AE\\d{3}$`));
  await sig.getByLabel('Adverse event').selectOption(id);
  await sig.getByLabel('Password').fill(PASSWORD);
  await sig.getByRole('button', { name: 'Sign the adverse event' }).click();
  await expect(page.locator('#flash')).toContainText('meaning responsibility');
  const row = page.locator('#sec-adverse-events ~ div').first().locator('tbody tr', { hasText: 'Nausea' });
  await expect(row.locator('.sig-status')).toContainText('valid');
  // the grade corrected at source verification: the signature is invalidated, not deleted
  const fix = await openForm(page, 'aes');
  await fix.getByLabel('Id').fill(id.split('/')[1]);
  await fix.getByLabel('CTCAE v5.0 term').fill('Nausea');
  await fix.getByLabel('CTCAE grade').fill('2');
  await fix.getByLabel('Start').fill('2025-11-10');
  await fix.getByLabel('Reason').fill('grade revised at source verification');
  await fix.getByRole('button', { name: 'Record an adverse event' }).click();
  await expect(page.locator('#flash')).toContainText('Adverse events: recorded.');
  await expect(row.locator('.sig-status')).toContainText('invalidated');
  const listed = page.locator('#sec-signatures ~ div tbody tr', { hasText: id });
  await expect(listed).toContainText('invalidated');
  await expect(listed).toContainText('Irene Investigator (inv1)');
  // the decision's signature is untouched by the AE's correction
  await expect(c1.locator('.sig-status')).toContainText('valid');
  await expect(c1.locator('.sig-status')).not.toContainText('invalidated');
  await shot(page, 'patient-signatures', page.locator('#sec-adverse-events'));
});

test('the investigator signs the casebook off; a coordinator has no signing form', async ({ page }) => {
  test.skip(!(await serverHas(page, 'signatures.casebook')), 'no casebook sign-off on this server');
  await signIn(page, 'coord1', `#/patient/${D}`);
  await expect(page.locator('#casebook-signoff')).toContainText('not signed off');
  await expect(page.locator('form[data-draft=sign-casebook]')).toHaveCount(0);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, 'inv1', `#/patient/${D}`);
  const fm = await openForm(page, 'sign-casebook');
  await fm.getByLabel(/User name/).fill('inv1');
  await fm.getByLabel('Password').fill(PASSWORD);
  await fm.getByLabel('Meaning').selectOption('responsibility');
  await fm.getByLabel('Comment').fill('all visits source-verified');
  await fm.getByRole('button', { name: 'Sign the casebook off' }).click();
  await expect(page.locator('#flash')).toContainText('meaning responsibility');
  await expect(page.locator('#casebook-signoff .signature')).toContainText('valid Signed by Irene Investigator (inv1)');
  await expect(page.locator('form[data-draft=sign-casebook]')).toHaveCount(0);
});

// ---- the restricted mean survival time ----

test('a statistician reads the RMST of overall survival by arm: the API\'s figures, in months', async ({ page }) => {
  test.skip(!(await serverHas(page, 'analyse.rmst')), 'no RMST on this server');
  await signIn(page, 'stat1', '#/statistics');
  const fm = page.locator('form[data-draft=rmst]');
  await fm.getByLabel('Endpoint').fill('OS');
  await fm.getByLabel(/Horizon tau/).fill('12');
  await fm.getByRole('button', { name: 'Show the RMST' }).click();
  const r = await (await page.request.get('/api/v1/endpoints/OS/rmst?tau=12&conf_level=0.95')).json();
  expect(r.tau).toBe(12);
  expect(r.curves.length).toBe(2);
  const sig = (v) => (v == null ? 'not estimable' : Number(v).toPrecision(3));
  await expect(page.locator('#rmst-tau')).toContainText('tau = 12 months');
  const arms = page.locator('#rmst table').first().locator('tbody tr');
  await expect(arms).toHaveCount(2);
  for (const [i, c] of r.curves.entries()) {
    const arm = r.arms.find((a) => `arm=${a.id}` === c.strata);
    await expect(arms.nth(i)).toContainText(`${arm.name} (${arm.id})`);
    await expect(arms.nth(i).locator('.rmean')).toHaveText(sig(c.rmean));
    await expect(arms.nth(i).locator('.ci')).toHaveText(`${sig(c.lower)} to ${sig(c.upper)}`);
  }
  const diff = page.locator('#rmst table').nth(1).locator('tbody tr');
  await expect(diff).toHaveCount(1);
  await expect(diff.locator('.diff')).toHaveText(sig(r.differences[0].diff));
  await expect(diff.locator('.ci')).toHaveText(`${sig(r.differences[0].lower)} to ${sig(r.differences[0].upper)}`);
  await expect(page.locator('#rmst')).toContainText('Difference (months)');
  // a horizon below 0: the server's message beside the field, the table of before kept
  await fm.getByLabel(/Horizon tau/).fill('-3');
  await fm.getByRole('button', { name: 'Show the RMST' }).click();
  await expect(fm.locator('[data-field=tau] .field-error')).toContainText('expected a time > 0 (months), found "-3"');
  await fm.getByLabel(/Horizon tau/).fill('12');
  await shot(page, 'statistics-rmst', page.locator('#sec-restricted-mean-survival-time'));
});

// ---- everolimus (NET RETREAT's arm 2), on a second server with a NET RETREAT trial ----

test.describe('everolimus', () => {
  test.use({ baseURL: process.env.NR_URL });
  const P = process.env.ORAL_PATIENT;

  test('the everolimus course as tables: start, dispensing, returns and compliance, an interruption, resumption lower, stop', async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page, 'inv1', `#/patient/${P}`);
    await expect(page.locator('nav.toc')).toContainText('Everolimus');
    await expect(page.locator('#oral-current')).toContainText('Not started');
    await expect(page.locator('form[data-draft=oral-resume]')).toHaveCount(0);
    let fm = await openForm(page, 'oral-start');
    await fm.getByLabel('Date').fill('2025-11-05');
    await fm.getByLabel('Daily dose').fill('12.5');
    await fm.getByRole('button', { name: 'Start the drug' }).click();
    await expect(fm.locator('[data-field=dose] .field-error')).toContainText('at most 10 mg');
    await expect(fm.getByLabel('Date')).toHaveValue('2025-11-05');
    await fm.getByLabel('Daily dose').fill('');
    await fm.getByRole('button', { name: 'Start the drug' }).click();
    await expect(page.locator('#flash')).toContainText('Started.');
    await expect(page.locator('#oral-current')).toContainText('10 mg daily.');
    await page.getByRole('button', { name: 'Sign out' }).click();

    // the coordinator dispenses and takes returns, and may do nothing else of the course
    await signIn(page, 'coord1', `#/patient/${P}`);
    await expect(page.locator('form[data-draft=oral-stop]')).toHaveCount(0);
    await expect(page.locator('form[data-draft=oral-interrupt]')).toHaveCount(0);
    fm = await openForm(page, 'oral-dispense');
    await fm.getByLabel('Date').fill('2025-11-05');
    await fm.getByLabel('Tablets').fill('30');
    await fm.getByLabel('Tablet strength').fill('4');
    await fm.getByRole('button', { name: 'Record tablets dispensed' }).click();
    await expect(fm.locator('[data-field=strength] .field-error')).toContainText("expected one of the protocol's tablet strengths of everolimus, found 4 mg");
    await fm.getByLabel('Tablet strength').fill('10');
    await fm.getByRole('button', { name: 'Record tablets dispensed' }).click();
    await expect(page.locator('#flash')).toContainText('Dispensing recorded.');
    fm = await openForm(page, 'oral-return');
    await fm.getByLabel('Date').fill('2025-12-03');
    await fm.getByLabel('Returned').fill('31');
    await fm.getByRole('button', { name: 'Record tablets returned' }).click();
    await expect(fm.locator('.field-error:not([hidden]), .form-error:not([hidden])').first()).toContainText('more than the 30 tablets dispensed on 2025-11-05');
    await fm.getByLabel('Returned').fill('2');
    await fm.getByRole('button', { name: 'Record tablets returned' }).click();
    await expect(page.locator('#flash')).toContainText('Return recorded.');
    const periods = page.locator('[aria-label^="Dispensings and compliance"] tbody tr');
    // 28 days of one 10 mg tablet, 30 - 2 back = 28 taken: 100%
    await expect(periods.first()).toContainText('Nov 5, 2025');
    await expect(periods.first()).toContainText('Dec 3, 2025');
    await expect(periods.first().locator('.compliance')).toHaveText('100 %');
    fm = await openForm(page, 'oral-dispense');
    await fm.getByLabel('Date').fill('2025-12-03');
    await fm.getByLabel('Tablets').fill('30');
    await fm.getByLabel('Tablet strength').fill('10');
    await fm.getByRole('button', { name: 'Record tablets dispensed' }).click();
    await expect(page.locator('#flash')).toContainText('Dispensing recorded.');
    await expect(periods).toHaveCount(2);
    await expect(periods.nth(1).locator('.compliance')).toHaveText('after the return');
    await page.getByRole('button', { name: 'Sign out' }).click();

    // the investigator: the label's table, an interruption for toxicity, resumption as the
    // table allows (a higher dose refused beside the field), the stop
    await signIn(page, 'inv1', `#/patient/${P}`);
    fm = await openForm(page, 'oral-decide');
    await fm.getByLabel('Date').fill('2025-12-05');
    await fm.getByRole('button', { name: "Ask the label's table" }).click();
    await expect(page.locator('#flash')).toContainText('Decision on Dec 5, 2025: continue, 10 mg daily.');
    fm = await openForm(page, 'oral-interrupt');
    await fm.getByLabel('Date').fill('2025-12-10');
    await fm.getByLabel('Cause').fill('stomatitis grade 3');
    await fm.getByLabel('Toxicity category').fill('stomatitis');
    await fm.getByLabel('CTCAE grade').fill('3');
    await fm.getByRole('button', { name: 'Interrupt' }).click();
    await expect(page.locator('#flash')).toContainText('Interruption recorded.');
    await expect(page.locator('#oral-current')).toContainText('Interrupted since Dec 10, 2025');
    await expect(page.locator('form[data-draft=oral-dispense]')).toHaveCount(0);
    fm = await openForm(page, 'oral-resume');
    await fm.getByLabel('Date').fill('2025-12-21');
    await fm.getByLabel('Daily dose').fill('10');
    await fm.getByRole('button', { name: 'Resume' }).click();
    await expect(fm.locator('[data-field=dose] .field-error')).toContainText("above what the label's table allows on 2025-12-21: 5 mg");
    await fm.getByLabel('Daily dose').fill('');
    await fm.getByRole('button', { name: 'Resume' }).click();
    await expect(page.locator('#flash')).toContainText('Resumed.');
    await expect(page.locator('#oral-current')).toContainText('5 mg daily.');
    const pauses = page.locator('[aria-label="Interruptions"] tbody tr');
    await expect(pauses).toHaveCount(1);
    for (const t of ['Dec 10, 2025', 'Dec 21, 2025', '11 days', 'stomatitis grade 3', 'resumed at 5 mg daily']) await expect(pauses).toContainText(t);
    // the label's modifications only lower the dose
    fm = await openForm(page, 'oral-dose');
    await fm.getByLabel('Date').fill('2025-12-28');
    await fm.getByLabel('Daily dose').fill('7.5');
    await fm.getByLabel('Cause').fill('fatigue grade 2');
    await fm.getByRole('button', { name: 'Lower the daily dose' }).click();
    await expect(fm.locator('[data-field=dose] .field-error')).toContainText('do not raise the dose again');
    await fm.getByLabel('Daily dose').fill('2.5');
    await fm.getByRole('button', { name: 'Lower the daily dose' }).click();
    await expect(page.locator('#flash')).toContainText('Dose lowered.');
    await expect(page.locator('#oral-current')).toContainText('2.5 mg daily.');
    fm = await openForm(page, 'oral-stop');
    await fm.getByLabel('Date').fill('2026-01-10');
    await fm.getByLabel('Cause').fill("patient's wish");
    await fm.getByRole('button', { name: 'Stop the drug' }).click();
    await expect(page.locator('#flash')).toContainText('Stopped.');
    await expect(page.locator('#oral-current')).toContainText('Stopped on Jan 10, 2026.');
    const doses = page.locator('[aria-label^="Daily dose"] tbody tr');
    await expect(doses).toHaveCount(4);
    await expect(doses.nth(0)).toContainText('started');
    await expect(doses.nth(0)).toContainText('10 mg daily');
    await expect(doses.nth(1)).toContainText('resumed');
    await expect(doses.nth(1)).toContainText('5 mg daily');
    await expect(doses.nth(2)).toContainText('lowered');
    await expect(doses.nth(2)).toContainText('2.5 mg daily');
    await expect(doses.nth(2)).toContainText('fatigue grade 2');
    await expect(doses.nth(3)).toContainText("patient's wish");
    // after the stop only a return may follow
    await expect(page.locator('form[data-draft=oral-return]')).toHaveCount(1);
    await expect(page.locator('form[data-draft=oral-stop], form[data-draft=oral-dispense], form[data-draft=oral-resume]')).toHaveCount(0);
    await expect(page.locator('pre.json')).toHaveCount(0);
    await shot(page, 'patient-everolimus', page.locator('#sec-everolimus'));
  });
});

// ---- the data lock: the last scenario, since nothing of the data changes after it ----

test('the admin signs the data lock; the store refuses a change after it', async ({ page }) => {
  test.skip(!(await serverHas(page, 'signatures.lock')), 'no data lock on this server');
  await signIn(page, 'admin', '#/admin');
  await expect(page.locator('#lock-state')).toContainText('Not locked');
  const fm = await openForm(page, 'sign-lock');
  await fm.getByLabel(/User name/).fill('admin');
  await fm.getByLabel('Password').fill('not-my-password');
  await fm.getByRole('button', { name: 'Sign the data lock' }).click();
  await expect(fm.locator('[data-field=password] .field-error')).toContainText('wrong user name or password');
  await fm.getByLabel('Password').fill(PASSWORD);
  await fm.getByRole('button', { name: 'Sign the data lock' }).click();
  await expect(page.locator('#lock-state')).toContainText('The data are locked for analysis');
  await expect(page.locator('#lock-state .signature')).toContainText('valid Signed by');
  await expect(page.locator('form[data-draft=sign-lock]')).toHaveCount(0);
  await shot(page, 'admin-locked', page.locator('#sec-data-lock'));
  const site = page.locator('form[data-draft=site-add]');
  await site.getByLabel('Code').fill('S9');
  await site.getByLabel('Name').fill('Site nine');
  await site.getByRole('button', { name: 'Add the site' }).click();
  await expect(site.locator('.field-error:not([hidden]), .form-error:not([hidden])').first()).toContainText('locked for analysis');
});
