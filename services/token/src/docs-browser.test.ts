import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { launchTestChromium } from '@psd2/testing';
import type { Browser } from 'playwright-core';
import { useInProcessTokenApp } from './app.test-support.js';

/*
 * GET /oauth2/docs in a real browser (Debian's headless Chromium, playwright-core): the token app
 * serves the page, Swagger UI and its initializer itself, Chromium enforces the page's CSP ('self'
 * only, no inline script), and the OpenAPI document's operations are rendered.
 */

const app = useInProcessTokenApp();
let browser: Browser;

beforeAll(async () => {
  browser = await launchTestChromium();
}, 30_000);

afterAll(async () => {
  await browser?.close();
});

describe('GET /oauth2/docs', () => {
  it('renders the OpenAPI document with Swagger UI, from this origin only, within its CSP', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
      });
      page.on('pageerror', (error) => problems.push(error.message));
      const elsewhere: string[] = [];
      page.on('request', (request) => {
        const url = request.url();
        if (!url.startsWith(app().base) && !url.startsWith('data:')) elsewhere.push(url);
      });

      const response = await page.goto(`${app().base}/oauth2/docs`);
      expect(response?.status()).toBe(200);
      const csp = response?.headers()['content-security-policy'] ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');

      const operation = (path: string) =>
        page.locator('.opblock-summary-path', { hasText: new RegExp(`^${path}$`) }).first();
      // Swagger UI renders once it has fetched /oauth2/openapi.json.
      await operation('/oauth2/par').waitFor();
      for (const path of ['/oauth2/par', '/oauth2/token', '/oauth2/introspect', '/oauth2/register'])
        await expect(operation(path).isVisible()).resolves.toBe(true);
      await expect(page.locator('.opblock-tag', { hasText: 'authorization' }).count()).resolves.toBe(1);
      expect(problems).toEqual([]);
      expect(elsewhere).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('serves its files and nothing else under /oauth2/docs/', async () => {
    const get = (path: string) => fetch(`${app().base}${path}`);
    const script = await get('/oauth2/docs/docs-init.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('/oauth2/openapi.json');
    const css = await get('/oauth2/docs/swagger-ui.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).not.toContain('sourceMappingURL');
    for (const path of [
      '/oauth2/docs/index.html',
      '/oauth2/docs/package.json',
      '/oauth2/docs/..%2Fpackage.json',
    ])
      expect((await get(path)).status).toBe(404);
  });
});
