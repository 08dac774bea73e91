import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { x509 } from './x509.js';

/* `pnpm pki` as a newcomer runs it (the built CLI), with and without the demo CA's CRL. */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pki-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// The built CLI, from src/ (Jest) or dist/ (tsc) alike.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

describe('pnpm pki', () => {
  it('--crl writes a current CRL of the demo CA that revokes nothing', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, '--dir', dir, '--crl']);
    expect(stdout).toContain('ca-crl.pem');
    const crl = new x509.X509Crl(await readFile(join(dir, 'ca-crl.pem'), 'utf8'));
    const ca = new x509.X509Certificate(await readFile(join(dir, 'ca.crt'), 'utf8'));
    expect(crl.issuer).toBe(ca.subject);
    expect(await crl.verify({ publicKey: ca })).toBe(true);
    expect(crl.entries).toEqual([]);
    expect(crl.nextUpdate?.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
    // The CA the CRL belongs to is the one the edge trusts.
    expect(new X509Certificate(await readFile(join(dir, 'ca.crt'))).subject).toContain('PSD2 Test QTSP CA');
  });
});
