/**
 * The web demo in a real browser (Debian's chromium, driven by playwright-core) against the
 * real local stack, every party signed in through the page (one-click demo accounts, a typed
 * email and password, a sign-up confirmed with the emailed code, read from the local pool as
 * `npm start` prints it): a customer places an order, the store's staff see it arrive
 * live and accept it, a driver sees it offered live, picks it up and delivers it, and the
 * customer's tracker follows along without a reload. Some pages are opened at localhost, whose
 * amplify-config.json names 127.0.0.1 (API, socket and user pool are then other origins). The
 * operator runs the stores (a closed one is refused to a customer) and reads the local metrics
 * summary.
 * Screenshots of each view land in /tmp/web-demo-*.png for a human to look at.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { SEED_STORE_ID, SEED_STORES } from '../../infra/seed-stores.js';
import { DEMO_PASSWORD, startLocalStack, type LocalStack } from '../../local/stack.js';
import { webDemoRoutes } from '../../local/web-demo.js';

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
/** Live updates cross DynamoDB Streams polling, a Lambda and the realtime socket. */
const LIVE_TIMEOUT_MS = 20_000;

async function textOf(locator: Locator, timeout = LIVE_TIMEOUT_MS): Promise<string> {
  await locator.waitFor({ state: 'visible', timeout });
  return (await locator.textContent()) ?? '';
}

describe('web demo in a browser', () => {
  let stack: LocalStack;
  let browser: Browser;
  let baseUrl: string;
  /** Page errors of the current test's views; each test opens and closes its own. */
  const pageErrors: string[] = [];
  const contexts: BrowserContext[] = [];
  /** The codes the local pool would have emailed, by username (no mail is sent locally). */
  const confirmationCodes = new Map<string, string>();

  beforeAll(async () => {
    stack = await startLocalStack({
      inMemory: true,
      port: 0,
      extraRoutes: await webDemoRoutes(),
      onConfirmationCode: (username, code) => confirmationCodes.set(username, code),
    });
    baseUrl = stack.graphqlUrl.replace(/\/graphql$/, '');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    pageErrors.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('serves the demo, not another page, at the root of the API origin', async () => {
    const [root, index] = await Promise.all([fetch(`${baseUrl}/`), fetch(`${baseUrl}/index.html`)]);

    expect(root.status).toBe(200);
    expect(await root.text()).toBe(await index.text());
  });

  /**
   * Each party in its own browser context, as separate people on separate machines would be.
   * The pages open /index.html (the same document as /, checked above) so that a clash over
   * "/" fails that one test, not every flow. `host` picks the loopback name in the URL.
   */
  async function openPage(who: string, host: '127.0.0.1' | 'localhost' = '127.0.0.1', hash = ''): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${who}: ${error.message}`));
    await page.goto(`${baseUrl.replace('127.0.0.1', host)}/index.html${hash}`);
    return page;
  }

  function signedIn(page: Page): Locator {
    return page.getByRole('status', { name: 'Signed in' });
  }

  /** Waits until the header says who is signed in as what (store names arrive with the store list). */
  async function expectSignedIn(page: Page, text: string): Promise<void> {
    await signedIn(page).filter({ hasText: text }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(await signedIn(page).textContent()).toContain(text);
  }

  async function signInAsDemo(page: Page, username: string): Promise<void> {
    await page.getByRole('button', { name: `Sign in as ${username}` }).click();
  }

  function demoUser(role: 'customer' | 'store' | 'driver' | 'operator', storeId?: string): string {
    const user = [...stack.demoUsers, ...stack.demoOperators].find(
      (u) => u.role === role && (storeId === undefined || (u.role === 'store' && u.storeId === storeId)),
    );
    if (user === undefined) throw new Error(`no ${role} demo account`);
    return user.username;
  }

  const storeName = SEED_STORES.find((s) => s.storeId === SEED_STORE_ID)?.name ?? '';

  it('follows an order from placement to delivery across three signed-in, live views', async () => {
    // Staff and a driver sign in with one click (the driver on localhost) and watch before the order exists.
    const staffAccount = demoUser('store', SEED_STORE_ID);
    const store = await openPage('store');
    await signInAsDemo(store, staffAccount);
    await expectSignedIn(store, `${staffAccount} · store staff at ${storeName}`);
    expect(await textOf(store.getByRole('heading', { name: `Orders at ${storeName}` }))).toBe(`Orders at ${storeName}`);
    expect(await textOf(store.getByText('Live updates on'))).toBe('Live updates on');
    const driverAccount = demoUser('driver');
    const driver = await openPage('driver', 'localhost');
    await signInAsDemo(driver, driverAccount);
    await expectSignedIn(driver, `${driverAccount} · driver`);
    expect(await textOf(driver.getByText('Live updates on'))).toBe('Live updates on');

    // The customer types their email and password, and orders from the store chosen by name.
    const customerAccount = demoUser('customer');
    const customer = await openPage('customer');
    await customer.getByRole('region', { name: 'Sign in' }).getByLabel('Email').fill(customerAccount);
    await customer.getByRole('region', { name: 'Sign in' }).getByLabel('Password').fill(DEMO_PASSWORD);
    await customer.getByRole('region', { name: 'Sign in' }).getByRole('button', { name: 'Sign in' }).click();
    await expectSignedIn(customer, `${customerAccount} · customer`);
    await customer.getByRole('heading', { name: 'Build your order' }).waitFor();
    await customer.getByLabel('Store', { exact: true }).selectOption({ label: storeName });
    await customer.getByLabel('Mushroom').check();
    await customer.screenshot({ path: '/tmp/web-demo-customer-form.png', fullPage: true });
    await customer.getByRole('button', { name: 'Place order' }).click();
    const tracker = customer.getByRole('region', { name: 'Your order' });
    expect(await textOf(tracker.getByText('PLACED', { exact: true }))).toBe('PLACED');
    const orderNumber = await textOf(tracker.locator('.order-number'));
    expect(orderNumber).toMatch(/^#[0-9A-Z]{6}$/);
    expect(await textOf(tracker)).toContain(`from ${storeName}`);
    expect(await textOf(customer.getByRole('list', { name: 'My orders' }))).toContain(orderNumber);
    expect(await textOf(tracker.getByText('Live updates on'))).toBe('Live updates on');
    expect(await tracker.getByRole('button', { name: 'Cancel order' }).isEnabled()).toBe(true);

    // The store sees it appear live and accepts it.
    const storeCard = store.getByRole('article', { name: `Order ${orderNumber}` });
    expect(await textOf(storeCard.getByText('PLACED', { exact: true }))).toBe('PLACED');
    expect(await textOf(storeCard)).toContain('mushroom');
    expect(await textOf(storeCard)).toContain('for a customer');
    await store.screenshot({ path: '/tmp/web-demo-store.png', fullPage: true });
    await storeCard.getByRole('button', { name: 'Accept' }).click();
    expect(await textOf(storeCard.getByText('ACCEPTED', { exact: true }))).toBe('ACCEPTED');

    // The operator's workflow drawing highlights where the order is, and follows it live (checked after the pickup below).
    const operator = await openPage('operator');
    await signInAsDemo(operator, demoUser('operator'));
    await operator.getByLabel('Store', { exact: true }).selectOption({ label: storeName });
    await operator.getByLabel('Workflow of', { exact: true }).selectOption({ label: orderNumber });
    const currentState = operator.locator('.workflow .wf-current');
    expect(await textOf(currentState)).toContain('AwaitPickup');

    // The customer's tracker moves on without a reload; the cancel button is gone.
    expect(await textOf(tracker.getByText('ACCEPTED', { exact: true }))).toBe('ACCEPTED');
    expect(await tracker.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);

    // The driver sees it offered live and picks it up.
    const driverCard = driver.getByRole('list', { name: 'Ready for pickup' }).getByRole('article', { name: `Order ${orderNumber}` });
    expect(await textOf(driverCard.getByText('ACCEPTED', { exact: true }))).toBe('ACCEPTED');
    expect(await textOf(driverCard)).toContain(`From ${storeName}`);
    await driver.screenshot({ path: '/tmp/web-demo-driver.png', fullPage: true });
    await driverCard.getByRole('button', { name: 'Pick up' }).click();
    const delivery = driver.getByRole('list', { name: 'Your deliveries' }).getByRole('article', { name: `Order ${orderNumber}` });
    expect(await textOf(delivery.getByText('OUT_FOR_DELIVERY', { exact: true }))).toBe('OUT_FOR_DELIVERY');
    expect(await textOf(delivery)).toContain('driver: you');

    await operator.locator('.workflow .wf-current[data-state="AwaitDelivery"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
    await operator.screenshot({ path: '/tmp/web-demo-operator.png', fullPage: true });

    // The customer sees it leave, still without a reload.
    expect(await textOf(tracker.getByText('OUT_FOR_DELIVERY', { exact: true }))).toBe('OUT_FOR_DELIVERY');
    expect(await textOf(tracker.getByText(/Estimated arrival/))).toContain('Estimated arrival');
    expect(await textOf(tracker)).toContain('driver: a driver');
    await customer.screenshot({ path: '/tmp/web-demo-customer-tracker.png', fullPage: true });

    // The tracker's URL carries the order id and the session survives a reload, so a reload reopens it.
    expect(customer.url()).toMatch(/#\/customer\/[0-9a-f-]{36}$/);
    await customer.reload();
    expect(await textOf(tracker.getByText('OUT_FOR_DELIVERY', { exact: true }))).toBe('OUT_FOR_DELIVERY');
    await tracker.getByText('Live updates on').waitFor({ timeout: LIVE_TIMEOUT_MS });

    // The driver hands it over; the customer sees DELIVERED live.
    await delivery.getByRole('button', { name: 'Mark delivered' }).click();
    expect(await textOf(tracker.getByText('DELIVERED', { exact: true }))).toBe('DELIVERED');
    expect(await driver.getByRole('list', { name: 'Your deliveries' }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it("signs a new customer up on localhost, shows a rejected placement's errorType, and relays a decline reason", async () => {
    // Arrange: staff watch; a new customer signs up at localhost and confirms the emailed code
    // (a wrong one first), as on AWS; the PostConfirmation trigger puts them in `customers`.
    const store = await openPage('store');
    await signInAsDemo(store, demoUser('store', SEED_STORE_ID));
    await store.getByText('Live updates on').waitFor({ timeout: LIVE_TIMEOUT_MS });
    const email = `web-demo-${Date.now()}@pizza.example`;
    const customer = await openPage('customer', 'localhost');
    const signUp = customer.getByRole('region', { name: /Create an account/ });
    await signUp.getByLabel('Email').fill(email);
    await signUp.getByLabel('Choose a password').fill('Pizza-Lover-42');
    await signUp.getByRole('button', { name: 'Create account' }).click();
    const confirm = customer.getByRole('region', { name: 'Confirm your email' });
    await confirm.waitFor({ timeout: LIVE_TIMEOUT_MS });
    // No email leaves the local stack: the page says where the code is.
    expect(await textOf(confirm.getByText(/no email is sent/))).toMatch(/prints the code/);
    const code = confirmationCodes.get(email) ?? '';
    expect(code).toMatch(/^\d{6}$/);
    await confirm.getByLabel('Code').fill(code === '000000' ? '111111' : '000000');
    await confirm.getByRole('button', { name: 'Confirm and sign in' }).click();
    expect(await textOf(confirm.getByRole('alert'))).toMatch(/^CodeMismatchException/);
    await confirm.getByLabel('Code').fill(code);
    await confirm.getByRole('button', { name: 'Confirm and sign in' }).click();
    await expectSignedIn(customer, `${email} · customer`);
    expect(await textOf(customer.getByText('No orders yet.'))).toBe('No orders yet.');
    await customer.getByLabel('Store', { exact: true }).selectOption({ label: storeName });
    await customer.getByLabel('Postal code').fill('T2T 0A7 THIS IS FAR TOO LONG');

    // Act + assert: the API's ValidationError is shown with its type; nothing was placed.
    await customer.getByRole('button', { name: 'Place order' }).click();
    const alert = customer.getByRole('alert');
    expect(await textOf(alert)).toMatch(/^ValidationError: .*postalCode/);
    await customer.screenshot({ path: '/tmp/web-demo-customer-error.png', fullPage: true });

    // Act: fix the field and retry the same form (same idempotency key).
    await customer.getByLabel('Postal code').fill('T2T 0A7');
    await customer.getByRole('button', { name: 'Retry placing order' }).click();
    const tracker = customer.getByRole('region', { name: 'Your order' });
    const orderNumber = await textOf(tracker.locator('.order-number'));
    await tracker.getByText('Live updates on').waitFor({ timeout: LIVE_TIMEOUT_MS });

    // Act: the store declines with a reason.
    const card = store.getByRole('article', { name: `Order ${orderNumber}` });
    await card.getByLabel('Decline reason').fill('Out of dough');
    await card.getByRole('button', { name: 'Decline' }).click();

    // Assert: the customer hears the decline and its reason live; the store card has no buttons left.
    expect(await textOf(tracker.getByText('DECLINED', { exact: true }))).toBe('DECLINED');
    expect(await textOf(tracker.getByText(/Out of dough/))).toBe('The store declined: Out of dough');
    expect(await textOf(card.getByText('DECLINED', { exact: true }))).toBe('DECLINED');
    expect(await card.getByRole('button').count()).toBe(0);

    // Sign-out returns to the sign-in page.
    await customer.getByRole('button', { name: 'Sign out' }).click();
    await customer.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await signedIn(customer).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
  it('lets the operator open, close and staff a store, refuses a closed store to a customer, and counts orders in the metrics summary', async () => {
    const operator = await openPage('operator');
    await signInAsDemo(operator, demoUser('operator'));
    await expectSignedIn(operator, `${demoUser('operator')} · operator`);
    const metrics = operator.getByRole('table', { name: 'Order metrics' });
    await metrics.waitFor({ timeout: LIVE_TIMEOUT_MS });
    /** A figure of the metrics table; a row that is not there (no such cancellation yet) is 0. */
    const figure = async (label: string): Promise<string> => {
      const row = metrics.getByRole('row').filter({ has: operator.getByRole('rowheader', { name: label, exact: true }) });
      return (await row.count()) === 0 ? '0' : ((await row.getByRole('cell').textContent()) ?? '');
    };
    const placedBefore = Number(await figure('Orders placed'));
    const cancelledBefore = Number(await figure('Cancelled: the customer cancelled before the store accepted'));
    expect(await figure('Time to decision')).toMatch(/^(avg \d.* · p50 \d.* · max \d.* \(\d+ orders?\)|no orders yet)$/);

    // The operator onboards a store; it opens open.
    const name = `Night Owl Pizza ${Date.now()}`;
    await operator.getByLabel('Store name').fill(name);
    await operator.getByRole('button', { name: 'Create store' }).click();
    const row = operator.getByRole('list', { name: 'Stores' }).getByRole('listitem', { name });
    expect(await textOf(row.getByText('OPEN', { exact: true }))).toBe('OPEN');

    // Staff are assigned to it; an unknown account is the API's NotFound.
    const assign = operator.getByRole('form', { name: 'Assign staff' });
    await assign.getByLabel("Staff's store").selectOption({ label: name });
    await assign.getByLabel('Staff email').fill('nobody@pizza.example');
    await assign.getByRole('button', { name: 'Assign staff' }).click();
    expect(await textOf(assign.getByRole('alert'))).toMatch(/^NotFound: /);
    const staff = demoUser('store', SEED_STORES[1]?.storeId);
    await assign.getByLabel('Staff email').fill(staff);
    await assign.getByRole('button', { name: 'Assign staff' }).click();
    expect(await textOf(assign.getByRole('status'))).toBe(`${staff} is now staff at ${name}, from their next sign-in.`);

    // A customer picks the new store while it is open; then the operator closes it.
    const customer = await openPage('customer');
    await signInAsDemo(customer, stack.demoUsers.filter((u) => u.role === 'customer')[1]?.username ?? '');
    await customer.getByRole('heading', { name: 'Build your order' }).waitFor();
    await customer.getByLabel('Store', { exact: true }).selectOption({ label: name });
    await row.getByRole('button', { name: 'Close' }).click();
    expect(await textOf(row.getByText('CLOSED', { exact: true }))).toBe('CLOSED');

    // The customer's order is refused with the API's StoreClosed; the store is then shown closed and cannot be picked.
    await customer.getByRole('button', { name: 'Place order' }).click();
    expect(await textOf(customer.getByRole('alert'))).toMatch(/^StoreClosed: store \S+ is closed/);
    const closedOption = customer.getByRole('option', { name: `${name} (closed)` });
    await closedOption.waitFor({ state: 'attached', timeout: LIVE_TIMEOUT_MS });
    expect(await closedOption.isDisabled()).toBe(true);
    expect(await textOf(customer.getByText(`${name} is closed and takes no new orders`))).toContain('pick another store');
    expect(await customer.getByRole('button', { name: 'Retry placing order' }).isDisabled()).toBe(true);

    // The customer orders from an open store instead, then cancels: the operator's summary counts both.
    await customer.getByLabel('Store', { exact: true }).selectOption({ label: storeName });
    await customer.getByRole('button', { name: 'Retry placing order' }).click();
    const tracker = customer.getByRole('region', { name: 'Your order' });
    await tracker.getByRole('button', { name: 'Cancel order' }).click();
    expect(await textOf(tracker.getByText('CANCELLED', { exact: true }))).toBe('CANCELLED');
    await vi.waitFor(
      async () => {
        expect(await figure('Orders placed')).toBe(String(placedBefore + 1));
        expect(await figure('Cancelled: the customer cancelled before the store accepted')).toBe(String(cancelledBefore + 1));
      },
      { timeout: LIVE_TIMEOUT_MS, interval: 500 },
    );
    await operator.screenshot({ path: '/tmp/web-demo-operator-metrics.png', fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('the GraphiQL explorer signs in with a demo account and then sends its access token, not the API key', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`explorer: ${error.message}`));
    await page.goto(`${baseUrl}/graphiql`);

    await page.getByRole('combobox', { name: 'Demo account' }).selectOption({ label: 'customer: customer1@pizza.example' });
    await page.getByText('Signed in as customer1@pizza.example').waitFor({ timeout: LIVE_TIMEOUT_MS });
    const sent = page.waitForRequest(
      (r) => r.method() === 'POST' && r.url().endsWith('/graphql') && (r.postData() ?? '').includes('listStores'),
    );
    await page.locator('.graphiql-execute-button').click();
    const request = await sent;

    expect(request.headers()['authorization']).toMatch(/^eyJ/);
    expect(request.headers()['x-api-key']).toBeUndefined();
    const answer = (await (await request.response())?.json()) as { data: { listStores: { storeId: string }[] } };
    expect(answer.data.listStores.map((s) => s.storeId)).toContain(SEED_STORE_ID);
    expect(pageErrors).toEqual([]);
  });
});
