/**
 * The web demo in a real browser (Debian's chromium, driven by playwright-core) against the
 * real local stack: a customer places an order, the store sees it arrive live and accepts it,
 * a driver sees it arrive live and picks it up, and the customer's tracker follows along
 * without a reload. Screenshots of each view land in /tmp/web-demo-*.png for a human to look at.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { SEED_STORE_ID } from '../../infra/seed-stores.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
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

  beforeAll(async () => {
    stack = await startLocalStack({ inMemory: true, port: 0, extraRoutes: await webDemoRoutes() });
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
   * The flows open /index.html (the same document as /, checked above) so that a clash over
   * "/" fails that one test, not every flow.
   */
  async function openView(view: 'customer' | 'store' | 'driver'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${view}: ${error.message}`));
    await page.goto(`${baseUrl}/index.html#/${view}`);
    return page;
  }

  it('follows an order from placement to out-for-delivery across three live views', async () => {
    // Store and driver are watching before the order exists, so it must arrive live.
    const store = await openView('store');
    await store.getByLabel('Store', { exact: true }).selectOption(SEED_STORE_ID);
    expect(await textOf(store.getByText('Live updates on'))).toBe('Live updates on');
    const driver = await openView('driver');
    await driver.getByLabel('Driver ID').fill('driver-browser-1');
    await driver.getByLabel('Store', { exact: true }).selectOption(SEED_STORE_ID);
    expect(await textOf(driver.getByText('Live updates on'))).toBe('Live updates on');

    // The customer places an order with the seed store.
    const customer = await openView('customer');
    await customer.getByRole('heading', { name: 'Build your order' }).waitFor();
    await customer.getByLabel('Store', { exact: true }).selectOption(SEED_STORE_ID);
    await customer.getByLabel('Mushroom').check();
    await customer.screenshot({ path: '/tmp/web-demo-customer-form.png', fullPage: true });
    await customer.getByRole('button', { name: 'Place order' }).click();
    const tracker = customer.getByRole('region', { name: 'Your order' });
    expect(await textOf(tracker.getByText('PLACED', { exact: true }))).toBe('PLACED');
    const orderId = await textOf(tracker.locator('code.order-id'));
    expect(orderId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await textOf(tracker.getByText('Live updates on'))).toBe('Live updates on');
    expect(await tracker.getByRole('button', { name: 'Cancel order' }).isEnabled()).toBe(true);

    // The store sees it appear live and accepts it.
    const storeCard = store.getByRole('article', { name: `Order ${orderId}` });
    expect(await textOf(storeCard.getByText('PLACED', { exact: true }))).toBe('PLACED');
    expect(await textOf(storeCard)).toContain('mushroom');
    await store.screenshot({ path: '/tmp/web-demo-store.png', fullPage: true });
    await storeCard.getByRole('button', { name: 'Accept' }).click();
    expect(await textOf(storeCard.getByText('ACCEPTED', { exact: true }))).toBe('ACCEPTED');

    // The customer's tracker moves on without a reload; the cancel button is gone.
    expect(await textOf(tracker.getByText('ACCEPTED', { exact: true }))).toBe('ACCEPTED');
    expect(await tracker.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);

    // The driver sees it become ready live and picks it up.
    const driverCard = driver.getByRole('list', { name: 'Ready for pickup' }).getByRole('article', { name: `Order ${orderId}` });
    expect(await textOf(driverCard.getByText('ACCEPTED', { exact: true }))).toBe('ACCEPTED');
    await driver.screenshot({ path: '/tmp/web-demo-driver.png', fullPage: true });
    await driverCard.getByRole('button', { name: 'Pick up' }).click();
    const delivery = driver.getByRole('list', { name: 'Your deliveries' }).getByRole('article', { name: `Order ${orderId}` });
    expect(await textOf(delivery.getByText('OUT_FOR_DELIVERY', { exact: true }))).toBe('OUT_FOR_DELIVERY');

    // The customer sees it leave, still without a reload.
    expect(await textOf(tracker.getByText('OUT_FOR_DELIVERY', { exact: true }))).toBe('OUT_FOR_DELIVERY');
    expect(await textOf(tracker.getByText(/Estimated arrival/))).toContain('Estimated arrival');
    await customer.screenshot({ path: '/tmp/web-demo-customer-tracker.png', fullPage: true });

    // The tracker's URL carries the order id, so a reload reopens it.
    expect(customer.url()).toContain(`#/customer/${orderId}`);
    await customer.reload();
    expect(await textOf(tracker.getByText('OUT_FOR_DELIVERY', { exact: true }))).toBe('OUT_FOR_DELIVERY');

    // The driver hands it over; the customer sees DELIVERED live.
    await delivery.getByRole('button', { name: 'Mark delivered' }).click();
    expect(await textOf(tracker.getByText('DELIVERED', { exact: true }))).toBe('DELIVERED');
    expect(pageErrors).toEqual([]);
  });

  it("shows a rejected placement's errorType, places the order on retry, and relays a decline reason", async () => {
    // Arrange: a postal code longer than the API allows.
    const store = await openView('store');
    await store.getByLabel('Store', { exact: true }).selectOption(SEED_STORE_ID);
    await store.getByText('Live updates on').waitFor({ timeout: LIVE_TIMEOUT_MS });
    const customer = await openView('customer');
    await customer.getByLabel('Store', { exact: true }).selectOption(SEED_STORE_ID);
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
    const orderId = await textOf(tracker.locator('code.order-id'));
    await tracker.getByText('Live updates on').waitFor({ timeout: LIVE_TIMEOUT_MS });

    // Act: the store declines with a reason.
    const card = store.getByRole('article', { name: `Order ${orderId}` });
    await card.getByLabel('Decline reason').fill('Out of dough');
    await card.getByRole('button', { name: 'Decline' }).click();

    // Assert: the customer hears the decline and its reason live; the store card has no buttons left.
    expect(await textOf(tracker.getByText('DECLINED', { exact: true }))).toBe('DECLINED');
    expect(await textOf(tracker.getByText(/Out of dough/))).toBe('The store declined: Out of dough');
    expect(await textOf(card.getByText('DECLINED', { exact: true }))).toBe('DECLINED');
    expect(await card.getByRole('button').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
