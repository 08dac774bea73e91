import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { demoCurlCommand } from './curl.js';
import { DEMO_QWACS, type DemoPki, type DemoQwacName, ensureDemoPki } from './demo.js';

let dir: string;
let pki: DemoPki;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'test-pki-'));
  pki = await ensureDemoPki(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function certificate(file: string): Promise<X509Certificate> {
  return new X509Certificate(await readFile(file));
}

describe('ensureDemoPki', () => {
  it('writes a CA, a server certificate and every demo QWAC, all issued by the CA but one', async () => {
    const ca = await certificate(pki.ca.cert);
    const untrustedCa = await certificate(pki.untrustedCa.cert);
    expect(ca.ca).toBe(true);
    for (const name of Object.keys(DEMO_QWACS) as DemoQwacName[]) {
      const qwac = await certificate(pki.qwacs[name].cert);
      const issuer = name === 'untrusted' ? untrustedCa : ca;
      expect(qwac.checkIssued(issuer)).toBe(true);
      expect(qwac.verify(issuer.publicKey)).toBe(true);
      expect(qwac.subject).toContain(`organizationIdentifier=${pki.qwacs[name].organizationIdentifier}`);
    }
    expect((await certificate(pki.qwacs.untrusted.cert)).checkIssued(ca)).toBe(false);
  });

  it('issues the server certificate for localhost and the loopback addresses', async () => {
    const server = await certificate(pki.server.cert);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('::1')).toBe('::1');
    expect(server.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
  });

  it('dates the expired and not-yet-valid QWACs accordingly', async () => {
    const now = Date.now();
    expect(Date.parse((await certificate(pki.qwacs.expired.cert)).validTo)).toBeLessThan(now);
    expect(Date.parse((await certificate(pki.qwacs['not-yet-valid'].cert)).validFrom)).toBeGreaterThan(now);
  });

  it('renews organisation A with a new key and the same organizationIdentifier', async () => {
    const original = await certificate(pki.qwacs['tpp-a'].cert);
    const renewed = await certificate(pki.qwacs['tpp-a-renewed'].cert);
    expect(renewed.publicKey.equals(original.publicKey)).toBe(false);
    expect(pki.qwacs['tpp-a-renewed'].organizationIdentifier).toBe(pki.qwacs['tpp-a'].organizationIdentifier);
    expect(pki.qwacs['tpp-b'].organizationIdentifier).not.toBe(pki.qwacs['tpp-a'].organizationIdentifier);
  });

  it('keeps private keys readable by their owner only', async () => {
    expect((await stat(pki.server.key)).mode & 0o077).toBe(0);
    expect((await stat(pki.qwacs['tpp-a'].key)).mode & 0o077).toBe(0);
  });

  it('is idempotent and cheap when the files are there', async () => {
    const before = await readFile(pki.qwacs['tpp-a'].cert, 'utf8');
    const writtenAt = (await stat(pki.qwacs['tpp-a'].cert)).mtimeMs;
    const again = await ensureDemoPki(dir);
    // Cheap because nothing is generated or written again (no clock: a loaded machine is slow anyway).
    expect(again.created).toBe(false);
    expect((await stat(pki.qwacs['tpp-a'].cert)).mtimeMs).toBe(writtenAt);
    expect(await readFile(pki.qwacs['tpp-a'].cert, 'utf8')).toBe(before);
  });

  it('writes everything again when a file is missing', async () => {
    await unlink(pki.qwacs['psp-ic'].key);
    const again = await ensureDemoPki(dir);
    expect(again.created).toBe(true);
    await expect(stat(pki.qwacs['psp-ic'].key)).resolves.toBeDefined();
  });
});

describe('demoCurlCommand', () => {
  it('presents a demo QWAC to the issuer', () => {
    const command = demoCurlCommand({ pki, issuer: 'https://localhost:8443', cwd: dir });
    expect(command).toBe(
      'curl --cacert ca.crt --cert tpp-a.crt --key tpp-a.key https://localhost:8443/.well-known/oauth-authorization-server',
    );
  });
});

describe('ensureDemoPki from several callers at once', () => {
  it('writes one consistent PKI', async () => {
    const shared = await mkdtemp(join(tmpdir(), 'test-pki-race-'));
    try {
      const results = await Promise.all([
        ensureDemoPki(shared),
        ensureDemoPki(shared),
        ensureDemoPki(shared),
      ]);
      expect(results.filter((result) => result.created)).toHaveLength(1);
      const ca = await certificate(results[0]?.ca.cert ?? '');
      for (const name of ['tpp-a', 'psp-as', 'qseal'] as const) {
        expect((await certificate(results[0]?.qwacs[name].cert ?? '')).checkIssued(ca)).toBe(true);
      }
    } finally {
      await rm(shared, { recursive: true, force: true });
    }
  });
});
