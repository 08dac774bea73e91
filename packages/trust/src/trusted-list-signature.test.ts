import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { type CertificateAuthority, createCertificateAuthority } from '@psd2/test-pki';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import {
  createListSigner,
  DAY_MS,
  ECDSA_SHA256,
  providerXml,
  RSA_PSS_SHA256,
  RSA_SHA1,
  RSA_SHA256,
  SHA1,
  signList,
  trustedListXml,
} from './trusted-list.test-support.js';
import { parseTrustedList } from './trusted-list-parse.js';
import { verifyListSignature } from './trusted-list-signature.js';
import { DSIG_NS, TSL_NS } from './trusted-list-xml.js';

let signer: CertificateAuthority;
let stranger: CertificateAuthority;
let qtspCa: CertificateAuthority;
let configured: X509Certificate[];

beforeAll(async () => {
  [signer, stranger, qtspCa] = await Promise.all([
    createListSigner('FR TSL signer'),
    createListSigner('Someone else'),
    createCertificateAuthority({ commonName: 'QTSP One CA' }),
  ]);
  configured = [new X509Certificate(signer.certificatePem)];
});

const listXml = (id = 'tsl-1') =>
  trustedListXml({
    id,
    providers: [{ name: 'QTSP One', services: [{ name: 'QWAC CA', certificates: [qtspCa.der] }] }],
  });

function reparse(xml: string) {
  return new DOMParser().parseFromString(xml, 'text/xml');
}

describe('verifyListSignature', () => {
  it('accepts a list signed by a configured signer and returns the content the signature covers', () => {
    const verified = verifyListSignature(signList(listXml(), { signer }), configured, 'FR');
    expect(verified.signer.fingerprint256).toBe(configured[0]?.fingerprint256);
    expect(verified.signedXml).not.toContain('Signature');
    expect(parseTrustedList(verified.signedXml, 'FR').providers[0]?.services[0]?.name).toBe('QWAC CA');
  });

  it('accepts a reference to the root Id, and an ECDSA signature', async () => {
    const ecSigner = await createCertificateAuthority({ commonName: 'EC signer' });
    const xml = signList(listXml(), {
      signer: ecSigner,
      signatureAlgorithm: ECDSA_SHA256,
      reference: 'root-id',
    });
    expect(xml).toContain('URI="#tsl-1"');
    expect(() =>
      verifyListSignature(xml, [new X509Certificate(ecSigner.certificatePem)], 'FR'),
    ).not.toThrow();
  });

  it('accepts XAdES-BES (a second reference, to the signed properties) and RSA-PSS', () => {
    const xml = signList(listXml(), { signer, xades: true, signatureAlgorithm: RSA_PSS_SHA256 });
    expect(xml).toContain('Type="http://uri.etsi.org/01903#SignedProperties"');
    const verified = verifyListSignature(xml, configured, 'FR');
    expect(verified.signedXml).not.toContain('SignedProperties');
  });

  it('without KeyInfo, tries each configured signer', () => {
    const xml = signList(listXml(), { signer, keyInfo: false });
    expect(xml).not.toContain('KeyInfo');
    const both = [new X509Certificate(stranger.certificatePem), ...configured];
    expect(verifyListSignature(xml, both, 'FR').signer.fingerprint256).toBe(configured[0]?.fingerprint256);
    expect(() => verifyListSignature(xml, both.slice(0, 1), 'FR')).toThrow(
      /value does not verify with the signer/,
    );
  });

  it('refuses a list with a service added after signing', () => {
    const document = reparse(signList(listXml(), { signer }));
    const list = document.getElementsByTagNameNS(TSL_NS, 'TrustServiceProviderList')[0];
    const forged = reparse(`<x xmlns="${TSL_NS}">${providerXml({ name: 'Forged', services: [] })}</x>`);
    const provider = forged.documentElement?.firstChild;
    if (list === undefined || provider == null) throw new Error('test list without providers');
    list.appendChild(document.importNode(provider, true));
    expect(() =>
      verifyListSignature(new XMLSerializer().serializeToString(document), configured, 'FR'),
    ).toThrow(/changed after signing/);
  });

  it('refuses a list without a signature', () => {
    expect(() => verifyListSignature(listXml(), configured, 'FR')).toThrow(/is not signed/);
  });

  it('refuses a signature by a signer that is not configured, even with its certificate in KeyInfo', () => {
    expect(() => verifyListSignature(signList(listXml(), { signer: stranger }), configured, 'FR')).toThrow(
      /not a configured signer/,
    );
  });

  it('refuses a signature whose KeyInfo names the configured signer but made with another key', () => {
    const xml = signList(listXml(), { signer: stranger, keyInfoCertificate: signer });
    expect(() => verifyListSignature(xml, configured, 'FR')).toThrow(/signature verification failed/);
  });

  it('refuses a configured signer certificate that has expired', async () => {
    const expired = await createListSigner('Old signer', { notAfter: new Date(Date.now() - DAY_MS) });
    const xml = signList(listXml(), { signer: expired });
    expect(() => verifyListSignature(xml, [new X509Certificate(expired.certificatePem)], 'FR')).toThrow(
      /expired/,
    );
  });

  it('refuses SHA-1, in the signature or in a digest', () => {
    const sha1Signature = signList(listXml(), { signer, signatureAlgorithm: RSA_SHA1 });
    expect(() => verifyListSignature(sha1Signature, configured, 'FR')).toThrow(/rsa-sha1 is refused/);
    const sha1Digest = signList(listXml(), { signer, signatureAlgorithm: RSA_SHA256, digestAlgorithm: SHA1 });
    expect(() => verifyListSignature(sha1Digest, configured, 'FR')).toThrow(/sha1 is refused/);
  });

  it('refuses signature wrapping: the genuine signed list moved under a forged root', () => {
    const genuine = reparse(signList(listXml('tsl-1'), { signer, reference: 'root-id' }));
    const attacker = reparse(listXml('forged-root'));
    const genuineRoot = genuine.documentElement;
    const forgedRoot = attacker.documentElement;
    const signature = genuine.getElementsByTagNameNS(DSIG_NS, 'Signature')[0];
    if (genuineRoot === null || forgedRoot === null || signature === undefined)
      throw new Error('bad fixture');
    genuineRoot.removeChild(signature);
    forgedRoot.appendChild(attacker.importNode(genuineRoot, true));
    forgedRoot.appendChild(attacker.importNode(signature, true));
    const wrapped = new XMLSerializer().serializeToString(attacker);
    expect(() => verifyListSignature(wrapped, configured, 'FR')).toThrow(
      /no signed reference covers the whole list/,
    );
  });

  it('refuses a DOCTYPE and a document that is not a trusted list', () => {
    const withDoctype = signList(listXml(), { signer }).replace(
      '<TrustServiceStatusList',
      '<!DOCTYPE x><TrustServiceStatusList',
    );
    expect(() => verifyListSignature(withDoctype, configured, 'FR')).toThrow(/DOCTYPE/);
    expect(() => verifyListSignature('<html/>', configured, 'FR')).toThrow(/not a TS 119 612 v2/);
    expect(() => verifyListSignature('<oops', configured, 'FR')).toThrow(/not well-formed/);
  });
});
