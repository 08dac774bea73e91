import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueQwac,
  issueServerCertificate,
} from '@psd2/test-pki';
import {
  createListSigner,
  DAY_MS,
  type ProviderSpec,
  signList,
  trustedListXml,
} from './trusted-list.test-support.js';
import { runBuildBundle, tlsClientAuthorized } from './trusted-list-cli.test-support.js';

let dir: string;
let signer: CertificateAuthority;
let caA: CertificateAuthority;
let caB: CertificateAuthority;
let signerFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trust-tsl-cli-'));
  [signer, caA, caB] = await Promise.all([
    createListSigner('FR TSL signer'),
    createCertificateAuthority({ commonName: 'QTSP A CA' }),
    createCertificateAuthority({ commonName: 'QTSP B CA' }),
  ]);
  signerFile = join(dir, 'signer.pem');
  await writeFile(signerFile, signer.certificatePem);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function signedListFile(name: string, providers: ProviderSpec[], nextUpdate?: Date): Promise<string> {
  const path = join(dir, name);
  const spec = nextUpdate === undefined ? { providers } : { providers, nextUpdate };
  await writeFile(path, signList(trustedListXml(spec), { signer }));
  return path;
}

const providersAB = (): ProviderSpec[] => [
  { name: 'QTSP B', services: [{ name: 'B web', certificates: [caB.der] }] },
  { name: 'QTSP A', services: [{ name: 'A web', certificates: [caA.der] }] },
  // The same CA under a second service: in the bundle once.
  { name: 'QTSP A bis', services: [{ name: 'A again', certificates: [caA.der] }] },
];

describe('pnpm trust build-bundle --tsl', () => {
  it('writes every selected CA once, with a comment line each, in a bundle the edge loads', async () => {
    const out = join(dir, 'bundle.pem');
    const result = await runBuildBundle([
      '--tsl',
      await signedListFile('fr.xml', providersAB()),
      '--signer-cert',
      signerFile,
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.filter((line) => line.startsWith('included '))).toHaveLength(2);
    expect(result.stdout.at(-1)).toBe(`wrote 2 CAs in ${out}`);
    const bundle = await readFile(out, 'utf8');
    expect(bundle.match(/^# FR .* sha256=[0-9a-f]{64}$/gm)).toHaveLength(2);
    expect(bundle.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    // Subject order: QTSP A CA first, whichever order the list had.
    expect(bundle.indexOf('QTSP A')).toBeLessThan(bundle.indexOf('QTSP B'));

    // Node's TLS (the local edge's `ca`) reads every block despite the comment lines.
    expect(() => createSecureContext({ ca: bundle })).not.toThrow();
    const serverCa = await createCertificateAuthority({ commonName: 'Edge CA' });
    const server = await issueServerCertificate(serverCa);
    for (const ca of [caA, caB]) {
      expect(await tlsClientAuthorized(bundle, server, serverCa, await issueQwac(ca))).toBe(true);
    }
    const outsider = await createCertificateAuthority({ commonName: 'Not in the list' });
    expect(await tlsClientAuthorized(bundle, server, serverCa, await issueQwac(outsider))).toBe(false);
  });

  it('is deterministic: the same CAs in another order give the same bytes, and the file is not rewritten', async () => {
    const out = join(dir, 'stable.pem');
    const first = await signedListFile('first.xml', providersAB());
    const reordered = await signedListFile('reordered.xml', [...providersAB()].reverse());
    const args = (list: string) => ['--tsl', list, '--signer-cert', signerFile, '--out', out];
    expect((await runBuildBundle(args(first))).code).toBe(0);
    const before = await stat(out);
    const bytes = await readFile(out);
    const again = await runBuildBundle(args(reordered));
    expect(again.code).toBe(0);
    expect(again.stdout.at(-1)).toBe(`unchanged: 2 CAs in ${out}`);
    expect(await readFile(out)).toEqual(bytes);
    expect((await stat(out)).mtimeMs).toBe(before.mtimeMs);
  });

  it('refuses a list past its NextUpdate and leaves the previous bundle untouched', async () => {
    const out = join(dir, 'kept.pem');
    await writeFile(out, 'previous bundle\n');
    const stale = await signedListFile('stale.xml', providersAB(), new Date(Date.now() - DAY_MS));
    const result = await runBuildBundle(['--tsl', stale, '--signer-cert', signerFile, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr.join('\n')).toMatch(/out of date: its NextUpdate .* is past/);
    expect(await readFile(out, 'utf8')).toBe('previous bundle\n');
  });

  it('refuses a result without any CA, and writes nothing', async () => {
    const out = join(dir, 'empty.pem');
    const none = await signedListFile('none.xml', [{ name: 'QTSP', services: [] }]);
    const result = await runBuildBundle(['--tsl', none, '--signer-cert', signerFile, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr.join('\n')).toMatch(/nothing to trust/);
    await expect(stat(out)).rejects.toThrow(/ENOENT/);
  });

  it('takes the signers from TRUST_TSL_SIGNER_CERTS when no --signer-cert is given', async () => {
    const out = join(dir, 'from-env.pem');
    const list = await signedListFile('env.xml', providersAB());
    const result = await runBuildBundle(['--tsl', list, '--out', out], {
      TRUST_TSL_SIGNER_CERTS: signerFile,
    });
    expect(result.code).toBe(0);
  });

  it.each([
    [[], /exactly one of --tsl and --lotl/],
    [['--tsl', 'a.xml', '--lotl', 'b.xml', '--out', 'x'], /exactly one of --tsl and --lotl/],
    [['--tsl', 'a.xml', '--signer-cert', 'signer.pem'], /--out is required/],
    [['--tsl', 'a.xml', '--out', 'x'], /--signer-cert or set TRUST_TSL_SIGNER_CERTS/],
    [['--tsl', 'a.xml', '--out', 'x', '--signer-cert', 'nowhere.pem'], /nowhere\.pem/],
    [['--lotl', 'a.xml', '--out', 'x', '--signer-cert', 'signer.pem', '--territory', 'FRA'], /two-letter/],
    [['--tsl', 'a.xml', '--out', 'x', '--signer-cert', 'signer.pem', '--territory', 'FR'], /--lotl only/],
    [['--tsl', 'a.xml', '--bogus'], /Unknown option/],
  ])('answers a usage error with exit 2: %j', async (args, message) => {
    const resolved = args.map((arg) => (arg === 'signer.pem' ? signerFile : arg));
    const result = await runBuildBundle(resolved, {});
    expect(result.code).toBe(2);
    expect(result.stderr.join('\n')).toMatch(message);
  });
});
