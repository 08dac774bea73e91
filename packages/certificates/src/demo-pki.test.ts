import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DemoPki, type DemoQwacName, ensureDemoPki } from '@psd2/test-pki';
import { CertificateError, type CertificateErrorCode } from './errors.js';
import { readQwac } from './qwac.js';

/*
 * Every certificate `pnpm pki` writes gets the verdict its name promises. The chain (the `untrusted`
 * QWAC) is the edge's to refuse; the service-side checks accept it structurally.
 */

const EXPECTED: Record<DemoQwacName, CertificateErrorCode | 'accepted'> = {
  'tpp-a': 'accepted',
  'tpp-a-renewed': 'accepted',
  'tpp-b': 'accepted',
  'psp-ai': 'accepted',
  'psp-pi': 'accepted',
  'psp-ic': 'accepted',
  'psp-as': 'accepted',
  'psp-as-other': 'accepted',
  expired: 'ERR_CERT_EXPIRED',
  'not-yet-valid': 'ERR_CERT_NOT_YET_VALID',
  qseal: 'ERR_CERT_NOT_WEB_AUTHENTICATION',
  'no-psd2': 'ERR_CERT_NO_PSD2_STATEMENT',
  'bad-org-id': 'ERR_CERT_ORGANIZATION_IDENTIFIER',
  untrusted: 'accepted',
};

let dir: string;
let pki: DemoPki;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certificates-demo-'));
  pki = await ensureDemoPki(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the demo PKI through readQwac', () => {
  it.each(Object.entries(EXPECTED))('%s: %s', async (name, expected) => {
    const files = pki.qwacs[name as DemoQwacName];
    const pem = await readFile(files.cert, 'utf8');
    let verdict: string = 'accepted';
    try {
      const identity = readQwac(pem);
      expect(identity.organizationIdentifier).toBe(files.organizationIdentifier);
      expect(identity.roles).toEqual(files.roles);
    } catch (error) {
      if (!(error instanceof CertificateError)) throw error;
      verdict = error.code;
    }
    expect(verdict).toBe(expected);
  });
});
