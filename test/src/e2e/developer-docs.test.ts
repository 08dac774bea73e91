import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RunningSystem, repoRoot, startSystem } from '@psd2/testing';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.js';

/*
 * What a TPP's developer reads, checked against the whole system through the edge. The README's quick
 * starts run the way the developer runs them: every `sh` block of the section, in order, in one bash
 * session. Only what differs from `pnpm start` is rewritten: the edge's two addresses and the directory
 * of the demo PKI. A README command that stops working fails here, not on a developer's first day. And
 * the OpenAPI document renders at /oauth2/docs in Chromium, from the edge's origin alone.
 */

let system: RunningSystem;
let browser: Browser;
let workdir: string;

beforeAll(async () => {
  [system, browser] = await Promise.all([startSystem({ label: 'developer-docs' }), launchBrowser()]);
  workdir = mkdtempSync(join(tmpdir(), 'psd2-readme-'));
}, 60_000);

afterAll(async () => {
  if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
  await browser?.close();
  await system?.stop();
});

/** The section's `sh` blocks, joined, as this system's developer would type them. */
function quickStart(heading: string): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  expect(blocks.length).toBeGreaterThan(2);
  const pki = dirname(system.pki.ca.cert);
  return blocks
    .join('\n')
    .replaceAll('.local/pki/', `${pki}/`)
    .replaceAll('https://localhost:8443', system.edgeUrl)
    .replaceAll('https://localhost:8444', system.internalEdgeUrl);
}

/** bash -e: the first command that fails stops the script, as it would stop the developer. */
function runInBash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-eo', 'pipefail', '-c', script],
      { cwd: workdir, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

describe('README quick starts, through the edge', () => {
  it('TPP: register, authorize, exchange, refresh, introspect, revoke, read and delete the client', async () => {
    const run = await runInBash(quickStart('TPP quick start'));
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain('"registration_access_token"');
    expect(run.stdout).toMatch(/code=[\w-]{43}&state=xyz/);
    expect(run.stdout).toContain('"refresh_token"');
    expect(run.stdout).toContain('"active": true');
    // Revocation answers 200, then the introspection of the same token is inactive; the delete, 204.
    expect(run.stdout).toMatch(/^200$/m);
    expect(run.stdout).toContain('{"active":false}');
    expect(run.stdout).toMatch(/^204$/m);
  }, 90_000);

  it('PISP: register, push the payment, approve it, exchange, introspect the payment token', async () => {
    const run = await runInBash(quickStart('PISP quick start (curl)'));
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain('"request_uri": "urn:ietf:params:oauth:request_uri:');
    expect(run.stdout).toContain('"expires_in": 60');
    expect(run.stdout).toContain('"type": "payment_initiation"');
    expect(run.stdout).toContain('"scope": "pisp"');
    expect(run.stdout).not.toContain('"refresh_token"');
    expect(run.stdout).toContain('"active": true');
    expect(run.stdout).toContain('"payment_request_id"');
  }, 90_000);
});

describe('the OpenAPI document in a browser', () => {
  it('GET /oauth2/docs through the edge: Swagger UI renders the document from this origin only', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('request', (request) => {
        if (!request.url().startsWith(system.edgeUrl) && !request.url().startsWith('data:'))
          problems.push(`elsewhere: ${request.url()}`);
      });
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
      });
      const response = await page.goto(`${system.edgeUrl}/oauth2/docs`);
      expect(response?.status()).toBe(200);
      const operation = (path: string) =>
        page.locator('.opblock-summary-path', { hasText: new RegExp(`^${path}$`) }).first();
      for (const path of ['/oauth2/par', '/oauth2/token', '/oauth2/register'])
        await operation(path).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
