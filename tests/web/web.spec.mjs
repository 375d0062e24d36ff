// The scenarios of issue 12 (section 3) in Debian's chromium against a real `lutetia serve`
// (tests/web/web.sh made the trial): each page checked by axe-core and photographed at two sizes.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { drawn, watch, signIn, shot, axe, tabTo, typeDay, serverHas, FILES, PASSWORD } from './helpers.mjs';

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
  const chooser = page.waitForEvent('filechooser');
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
  await setup.getByRole('button', { name: 'Set up second factor' }).click();
  const secret = (await page.locator('.once code.secret').textContent()).trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expect(page.locator('.once code.uri')).toHaveText(`otpauth://totp/Lutetia:ustat1?secret=${secret}&issuer=Lutetia&algorithm=SHA1&digits=6&period=30`);
  await axe(page, 'the account page with the second factor shown');
  // removed with the password and a code of the app (oathtool at the server's clock, which is
  // the system's here; the server takes a code one step early or late)
  const code = execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim();
  const remove = page.locator('form[data-draft=account-totp-remove]');
  await remove.getByLabel('Password').fill(NEW);
  await remove.getByLabel('Current code').fill(code);
  await remove.getByRole('button', { name: 'Remove second factor' }).click();
  await expect(page.locator('.once')).toContainText('Second factor removed');
});
