// /docs in a real headless browser (Debian's chromium driven by playwright-core): Swagger UI loads
// from the gateway alone (no CDN), and "Try it out" + "Execute" on GET /v1/domains shows the
// simulator's domains. scripts/install-chromium.sh installs chromium (npm test's pretest does).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../helpers/esxsim.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
// Only a developer's machine may lack it; in CI a missing browser is a failure, not a skip.
if (!hasChromium && !process.env.CI) console.warn(`skipping the /docs browser test: ${CHROMIUM} is missing (run scripts/install-chromium.sh)`);

describe.skipIf(!hasChromium && !process.env.CI)('/docs in headless chromium', () => {
  let sim: Sim;
  let gw: Gateway;
  let profile: string;
  let browser: BrowserContext;
  const requested: string[] = [];

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`${CHROMIUM} is missing: scripts/install-chromium.sh installs it (CI must run it)`);
    sim = await startSim({ esx: true, vms: 3 });
    gw = await startGateway(sim);
    profile = mkdtempSync(join(tmpdir(), 'esxgate-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    browser.on('request', (r) => requested.push(r.url()));
  });

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await gw?.close();
    await sim?.stop();
  });

  it('loads Swagger UI and lists the simulator domains with Try it out + Execute', async () => {
    const expected = ((await (await fetch(`${gw.url}/v1/domains`)).json()) as { items: Array<{ name: string }> }).items.map((d) => d.name);
    expect(expected.length).toBe(3);

    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`${gw.url}/docs/`);
    await expect.poll(() => page.locator('.swagger-ui .info .title').textContent(), { timeout: 30_000 }).toContain('esxgate');

    const op = page.locator('.opblock.opblock-get').filter({ has: page.locator('[data-path="/v1/domains"]') });
    await op.locator('.opblock-summary').first().click();
    // With uiConfig.tryItOutEnabled the form is open already; otherwise press "Try it out".
    const tryIt = op.getByRole('button', { name: 'Try it out' });
    if (await tryIt.isVisible()) await tryIt.click();
    await op.getByRole('button', { name: 'Execute' }).click();

    const status = op.locator('.live-responses-table .response .response-col_status').first();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('200');
    const body = (await op.locator('.live-responses-table .response-col_description .microlight, .live-responses-table .response-col_description pre').first().textContent()) ?? '';
    for (const name of expected) expect(body).toContain(name);

    // Everything came from the gateway: Swagger UI's assets are served offline.
    expect(requested.length).toBeGreaterThan(3);
    expect(requested.filter((u) => !u.startsWith(gw.url) && !u.startsWith('data:'))).toEqual([]);
  });
});
