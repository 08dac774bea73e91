import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  issueCrl,
  loadCertificateAuthority,
  type RevocationScenario,
  writeRevocationScenario,
} from './crl.js';
import { type DemoPki, writeDemoPki } from './demo.js';
import { createCertificateAuthority } from './issue.js';
import { x509 } from './x509.js';

let dir: string;
let pki: DemoPki;
let scenario: RevocationScenario;
let demoFilesBefore: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'test-pki-crl-'));
  pki = await writeDemoPki(dir);
  demoFilesBefore = (await readdir(dir)).sort();
  scenario = await writeRevocationScenario(pki, join(dir, 'revocation'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function crlAt(path: string): Promise<x509.X509Crl> {
  return new x509.X509Crl(await readFile(path, 'utf8'));
}

describe('writeRevocationScenario', () => {
  it('writes a CRL signed by the demo CA that lists the revoked QWAC', async () => {
    const crl = await crlAt(scenario.crl);
    const ca = new x509.X509Certificate(await readFile(pki.ca.cert, 'utf8'));
    expect(crl.issuer).toBe(ca.subject);
    expect(await crl.verify({ publicKey: ca.publicKey })).toBe(true);
    expect(crl.findRevoked(scenario.revoked.serial)?.serialNumber).toBe(scenario.revoked.serial);
    expect(crl.findRevoked(scenario.reissued.serial)).toBeNull();
    expect(crl.nextUpdate?.getTime()).toBeGreaterThan(Date.now());
    expect((await crlAt(scenario.emptyCrl)).entries).toHaveLength(0);
  });

  it('reissues to the same organisation under a new serial, both from the demo CA', async () => {
    const ca = new X509Certificate(await readFile(pki.ca.cert));
    const revoked = new X509Certificate(await readFile(scenario.revoked.cert));
    const reissued = new X509Certificate(await readFile(scenario.reissued.cert));
    expect(revoked.checkIssued(ca) && reissued.checkIssued(ca)).toBe(true);
    expect(reissued.subject).toBe(revoked.subject);
    expect(reissued.serialNumber).not.toBe(revoked.serialNumber);
    expect(revoked.serialNumber.toLowerCase()).toBe(scenario.revoked.serial.toLowerCase());
  });

  it('leaves the demo PKI files as they were', async () => {
    expect((await readdir(dir)).filter((name) => name !== 'revocation').sort()).toEqual(demoFilesBefore);
  });

  it('gives CRLs that Node loads into a TLS context', async () => {
    for (const file of [scenario.crl, scenario.emptyCrl]) {
      const pem = await readFile(file, 'utf8');
      expect(() => createSecureContext({ crl: pem })).not.toThrow();
    }
    expect(() =>
      createSecureContext({ crl: '-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n' }),
    ).toThrow();
  });
});

describe('issueCrl', () => {
  it('signs with another key when asked (a forged CRL fails verification)', async () => {
    const ca = await loadCertificateAuthority(pki.ca);
    const other = await createCertificateAuthority();
    const forged = new x509.X509Crl(await issueCrl(ca, { signingKey: other.keys.privateKey }));
    expect(forged.issuer).toBe(ca.name);
    expect(await forged.verify({ publicKey: ca.keys.publicKey })).toBe(false);
  });
});
