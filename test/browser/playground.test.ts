// The playground in headless Chromium: a person with no Slack, Atlas or AWS tries spconn in a
// browser. Each test starts its own sandbox (app, emulators, playground) on free ports.
import { existsSync, mkdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { WORLD } from '../../src/sandbox/world.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`Skipping the browser tests: ${CHROMIUM} does not exist (Debian's chromium package; .ci/run installs it).`);

const SCREENSHOTS = 'test-results/screenshots';
const WAIT = { timeout: 20_000 };

describe.skipIf(!haveChromium)('the playground in a browser', () => {
  let browser: Browser;
  let sandbox: Sandbox;
  let page: Page;
  let logs: string[];
  /** Every body the playground's API answered the page (the event stream is checked through /api/state). */
  let answers: string[];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // launch() gives every browser a fresh temporary profile of its own, removed when it closes.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    logs = [];
    answers = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString('utf8'));
        done();
      },
    });
    sandbox = await startSandbox({
      env: { PORT: 0, SPCONN_PLAYGROUND_PORT: 0 },
      logger: createLogger({ level: 'info', destination }),
      banner: false,
      privateLinkPolling: { pollMin: '100ms', pollMax: '400ms' },
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('response', (res) => {
      if (res.request().method() === 'POST') void res.text().then((t) => answers.push(t), () => {});
    });
  });
  afterEach(async () => {
    await page?.close();
    await sandbox?.stop();
  });

  async function open(as: string): Promise<void> {
    await page.goto(`${sandbox.playgroundUrl}?as=${as}`);
    await page.locator(`#people button[data-person="${as}"][aria-pressed="true"]`).waitFor(WAIT);
  }

  async function actAs(person: string): Promise<void> {
    await page.locator(`#people button[data-person="${person}"]`).click();
    await page.locator(`#people button[data-person="${person}"][aria-pressed="true"]`).waitFor(WAIT);
  }

  async function slashCommand(text: string): Promise<void> {
    await page.locator('#composer-input').fill(text);
    await page.locator('#composer-input').press('Enter');
  }

  const field = (blockId: string, actionId: string) => page.locator(`#input-${blockId}-${actionId}`);

  async function approveAs(owner: string, connectionName: string): Promise<void> {
    await actAs(owner);
    const card = page.locator('#timeline > article.message', { hasText: `connection ${connectionName}` });
    await card.locator('button[data-action-id="request_approve"]').click(WAIT);
    // Approving a create asks nothing (SPEC §12: only a delete or replace asks "are you sure").
  }

  it('creates an HTTPS connection: inline error, request card, owner approval, thread reply, Atlas', async () => {
    const headerValue = 'Bearer tok-playground-4242';
    await open(WORLD.requester);
    await slashCommand('/spconn create https');
    await page.locator('#modal').waitFor(WAIT);
    await field('connection_name', 'name').fill('orders-api');
    await field('https_url', 'url').fill('http://api.example.com/v1/orders');
    await field('https_headers', 'headers').fill(`Authorization: ${headerValue}`);
    await page.locator('#modal button[type=submit]').click();

    const urlError = page.locator('.block-input[data-block-id="https_url"] .field-error');
    await urlError.waitFor(WAIT);
    expect(await urlError.textContent()).toMatch(/https:\/\//);
    // The other fields keep what was typed while the error shows.
    expect(await field('https_headers', 'headers').inputValue()).toBe(`Authorization: ${headerValue}`);

    await field('https_url', 'url').fill('https://api.example.com/v1/orders');
    await page.locator('#modal button[type=submit]').click();
    await page.locator('#modal').waitFor({ state: 'detached', ...WAIT });
    const card = page.locator('#timeline > article.message', { hasText: 'Create HTTPS connection orders-api' });
    await card.waitFor(WAIT);
    expect(await card.textContent()).toContain('••••42');

    await approveAs(WORLD.owner, 'orders-api');
    await card.locator('.thread .message', { hasText: 'ready to use' }).waitFor(WAIT);
    await page.locator('#atlas-connections li[data-name="orders-api"]').waitFor(WAIT);
    expect(await page.locator('#atlas-connections li[data-name="orders-api"]').textContent()).toContain('Authorization (values hidden)');
    await page.screenshot({ path: `${SCREENSHOTS}/https-approved.png` });

    // The requester's Home tab: their request, ended, with its state.
    await actAs(WORLD.requester);
    await page.locator('#tab-home').click();
    await page.locator('#home', { hasText: 'Your requests' }).waitFor(WAIT);
    await page.locator('#home .block-section', { hasText: 'orders-api' }).waitFor(WAIT);
    expect(await page.locator('#home').textContent()).toMatch(/Done · Create HTTPS connection/);
    await page.screenshot({ path: `${SCREENSHOTS}/home.png` });
    await page.locator('#tab-channel').click();

    const state = await (await fetch(`${sandbox.playgroundUrl}api/state?as=${WORLD.requester}`)).text();
    for (const seen of [state, ...answers, logs.join('\n'), await page.content()]) expect(seen).not.toContain('tok-playground-4242');
  }, 90_000);

  it('walks a Private Link setup to the end, the link made ready from the Atlas panel', async () => {
    await open(WORLD.requester);
    await slashCommand('/spconn create privatelink');
    await page.locator('#modal').waitFor(WAIT);
    const domain = 'abc123.us-east-1.aws.confluent.cloud';
    await field('connection_name', 'name').fill('events-pl');
    await page.locator('#input-pl_cluster_kind-cluster_kind input[value="dedicated"]').check();
    await field('pl_region', 'region').selectOption('us-east-1');
    await field('pl_service_name', 'service_name').fill('com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0');
    await field('pl_dns_domain', 'dns_domain').fill(domain);
    await field('pl_dns_subdomains', 'dns_subdomains').fill(`use1-az1.${domain}\nuse1-az2.${domain}`);
    await field('pl_bootstrap', 'bootstrap_servers').fill(`lkc-abc123.${domain}:9092`);
    await field('pl_api_key', 'api_key').fill('ABCDEFGH12345678');
    await field('pl_api_secret', 'api_secret').fill('CANARY-playground-secret-77');
    await page.locator('#modal button[type=submit]').click();
    await page.locator('#modal').waitFor({ state: 'detached', ...WAIT });

    await approveAs(WORLD.owner2, 'events-pl');
    const card = page.locator('#timeline > article.message', { hasText: 'connection events-pl' });
    // Dedicated cluster: the project's AWS account to allow in Confluent, then Done.
    const prompt = card.locator('.thread .message', { hasText: 'Add Private Link Access' });
    await prompt.waitFor(WAIT);
    await actAs(WORLD.requester);
    await prompt.locator('button[data-action-id="privatelink_done"]').click(WAIT);

    const link = page.locator('#atlas-links li[data-link-id]');
    await link.waitFor(WAIT);
    await link.locator('button[data-link-control="DONE"]').click(WAIT);
    await page.locator('#atlas-links li[data-state="DONE"]').waitFor(WAIT);

    await card.locator('.thread .message', { hasText: 'is READY over Private Link' }).waitFor({ timeout: 30_000 });
    await page.locator('#atlas-connections li[data-name="events-pl"][data-state="READY"]').waitFor(WAIT);
    await page.screenshot({ path: `${SCREENSHOTS}/privatelink-ready.png` });

    const state = await (await fetch(`${sandbox.playgroundUrl}api/state?as=${WORLD.requester}`)).text();
    for (const seen of [state, ...answers, logs.join('\n'), await page.content()]) expect(seen).not.toContain('CANARY-playground-secret-77');
  }, 90_000);
});
