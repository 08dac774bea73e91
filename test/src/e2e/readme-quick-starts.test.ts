import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RunningSystem, repoRoot, startSystem } from '@psd2/testing';

/*
 * The README's quick starts, run the way a TPP's developer runs them: every `sh` block of the section,
 * in order, in one bash session, against the whole system through the edge. Only what differs from
 * `pnpm start` is rewritten: the edge's two addresses and the directory of the demo PKI. A README
 * command that stops working fails here, not on a developer's first day.
 */

let system: RunningSystem;
let workdir: string;

beforeAll(async () => {
  system = await startSystem({ label: 'readme' });
  workdir = mkdtempSync(join(tmpdir(), 'psd2-readme-'));
}, 60_000);

afterAll(async () => {
  if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
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
