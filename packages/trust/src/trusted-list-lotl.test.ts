import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type CertificateAuthority, createCertificateAuthority } from '@psd2/test-pki';
import { createListSigner, EU_LIST_OF_LISTS, signList, trustedListXml } from './trusted-list.test-support.js';
import { runBuildBundle } from './trusted-list-cli.test-support.js';

/*
 * The EU list of lists and two national lists served over HTTP on 127.0.0.1, as the Commission and the
 * member states publish them.
 */

let dir: string;
let server: Server;
let base: string;
let lotlSignerFile: string;
let lotlSigner: CertificateAuthority;
let frSigner: CertificateAuthority;
let deSigner: CertificateAuthority;
let rogue: CertificateAuthority;
let caFr: CertificateAuthority;
let caDe: CertificateAuthority;
const served = new Map<string, string>();
const requested: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trust-lotl-'));
  [lotlSigner, frSigner, deSigner, rogue, caFr, caDe] = await Promise.all([
    createListSigner('EU LOTL signer'),
    createListSigner('FR TSL signer'),
    createListSigner('DE TSL signer'),
    createListSigner('Rogue signer'),
    createCertificateAuthority({ commonName: 'FR QTSP CA' }),
    createCertificateAuthority({ commonName: 'DE QTSP CA' }),
  ]);
  lotlSignerFile = join(dir, 'lotl-signer.pem');
  await writeFile(lotlSignerFile, lotlSigner.certificatePem);
  server = createServer((request, response) => {
    requested.push(request.url ?? '');
    const body = served.get(request.url ?? '');
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/xml' }).end(body ?? '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

function nationalList(territory: string, ca: CertificateAuthority, signer: CertificateAuthority): string {
  const providers = [{ name: `${territory} QTSP`, services: [{ name: 'QWAC CA', certificates: [ca.der] }] }];
  return signList(trustedListXml({ territory, providers }), { signer });
}

beforeEach(() => {
  requested.length = 0;
  served.clear();
  const lotl = trustedListXml({
    territory: 'EU',
    tslType: EU_LIST_OF_LISTS,
    pointers: [
      {
        territory: 'EU',
        location: `${base}/lotl.xml`,
        signerCertificates: [lotlSigner.der],
        tslType: EU_LIST_OF_LISTS,
      },
      { territory: 'FR', location: `${base}/fr.xml`, signerCertificates: [frSigner.der] },
      {
        territory: 'FR',
        location: `${base}/fr.pdf`,
        signerCertificates: [frSigner.der],
        mimeType: 'application/pdf',
      },
      { territory: 'DE', location: `${base}/de.xml`, signerCertificates: [deSigner.der] },
    ],
  });
  served.set('/lotl.xml', signList(lotl, { signer: lotlSigner }));
  served.set('/fr.xml', nationalList('FR', caFr, frSigner));
  served.set('/de.xml', nationalList('DE', caDe, deSigner));
});

const buildArgs = (out: string, ...more: string[]) => [
  '--lotl',
  `${base}/lotl.xml`,
  '--signer-cert',
  lotlSignerFile,
  '--out',
  out,
  ...more,
];

describe('pnpm trust build-bundle --lotl', () => {
  it('follows the LOTL to each national XML list, verified with the signers the LOTL names for it', async () => {
    const out = join(dir, 'all.pem');
    const result = await runBuildBundle(buildArgs(out));
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    const bundle = await readFile(out, 'utf8');
    expect(bundle.match(/^# \w\w /gm)).toEqual(['# DE ', '# FR ']);
    expect(requested.sort()).toEqual(['/de.xml', '/fr.xml', '/lotl.xml']);
  });

  it('keeps only the territories asked for', async () => {
    const out = join(dir, 'fr-only.pem');
    const result = await runBuildBundle(buildArgs(out, '--territory', 'fr'));
    expect(result.code).toBe(0);
    expect((await readFile(out, 'utf8')).match(/^# \w\w /gm)).toEqual(['# FR ']);
    expect(requested).not.toContain('/de.xml');
  });

  it('fails the run when one national list is signed by a key the LOTL does not name, keeping the previous bundle', async () => {
    const out = join(dir, 'previous.pem');
    await writeFile(out, 'previous bundle\n');
    served.set('/de.xml', nationalList('DE', caDe, rogue));
    const result = await runBuildBundle(buildArgs(out));
    expect(result.code).toBe(1);
    expect(result.stderr.join('\n')).toMatch(
      /1 of 2 national lists failed:\n {2}DE .*not a configured signer/,
    );
    expect(await readFile(out, 'utf8')).toBe('previous bundle\n');
  });

  it('fails the run when a national list cannot be fetched, or claims another territory', async () => {
    const out = join(dir, 'failed.pem');
    served.delete('/de.xml');
    const missing = await runBuildBundle(buildArgs(out));
    expect(missing.code).toBe(1);
    expect(missing.stderr.join('\n')).toMatch(/DE .*de\.xml: .*HTTP 404/);
    served.set('/de.xml', nationalList('FR', caDe, deSigner));
    const impostor = await runBuildBundle(buildArgs(out));
    expect(impostor.code).toBe(1);
    expect(impostor.stderr.join('\n')).toMatch(/SchemeTerritory is FR, not DE/);
  });

  it('refuses a LOTL not signed by a configured signer, a national list given as LOTL, a territory it lacks', async () => {
    const out = join(dir, 'never.pem');
    const otherSignerFile = join(dir, 'other.pem');
    await writeFile(otherSignerFile, frSigner.certificatePem);
    const wrongSigner = await runBuildBundle([
      '--lotl',
      `${base}/lotl.xml`,
      '--signer-cert',
      otherSignerFile,
      '--out',
      out,
    ]);
    expect(wrongSigner.code).toBe(1);
    expect(wrongSigner.stderr.join('\n')).toMatch(
      /lotl\.xml is signed by a certificate that is not a configured signer/,
    );
    const nationalAsLotl = await runBuildBundle([
      '--lotl',
      `${base}/fr.xml`,
      '--signer-cert',
      otherSignerFile,
      '--out',
      out,
    ]);
    expect(nationalAsLotl.code).toBe(1);
    expect(nationalAsLotl.stderr.join('\n')).toMatch(/fr\.xml is not a list of lists/);
    const unknownTerritory = await runBuildBundle(buildArgs(out, '--territory', 'FR,IT'));
    expect(unknownTerritory.code).toBe(1);
    expect(unknownTerritory.stderr.join('\n')).toMatch(/no XML trusted list for IT/);
  });
});
