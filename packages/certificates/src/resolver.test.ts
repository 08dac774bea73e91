import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  type IssuedCertificate,
  issueQwac,
} from '@psd2/test-pki';
import { codeOf } from './error-code.test-support.js';
import { forwardedClientCertificate } from './forwarded.js';
import { createClientCertificateResolver } from './resolver.js';
import { formatXfccElement } from './xfcc.js';

let ca: CertificateAuthority;
let good: IssuedCertificate;
let seal: IssuedCertificate;
beforeAll(async () => {
  ca = await createCertificateAuthority();
  good = await issueQwac(ca, { roles: ['PSP_AI', 'PSP_PI'] });
  seal = await issueQwac(ca, { qcTypes: ['eseal'] });
});

function xfccOf(issued: IssuedCertificate): string {
  return formatXfccElement({
    hash: Buffer.from(issued.x5tS256, 'base64url').toString('hex'),
    cert: issued.certificatePem,
    subject: 'CN=ignored',
  });
}

describe('forwardedClientCertificate', () => {
  it("passes the header on only from the edge's connection, never by address", () => {
    expect(forwardedClientCertificate({ fromEdge: true, header: 'Hash=a' })).toBe('Hash=a');
    expect(forwardedClientCertificate({ fromEdge: false, header: 'Hash=a' })).toBeUndefined();
  });

  it("joins repeated header lines in order, so the edge's line stays first", () => {
    expect(forwardedClientCertificate({ fromEdge: true, header: ['Hash=a', 'Hash=b'] })).toBe(
      'Hash=a,Hash=b',
    );
  });
});

describe('createClientCertificateResolver', () => {
  it('resolves the identity of the certificate in the header', () => {
    const resolver = createClientCertificateResolver();
    const identity = resolver.resolve({ fromEdge: true, header: xfccOf(good) });
    expect(identity).toMatchObject({
      organizationIdentifier: 'PSDFR-ACPR-12345',
      roles: ['PSP_AI', 'PSP_PI'],
    });
    expect(identity?.x5tS256).toBe(good.x5tS256);
  });

  it("acts as if no certificate was sent when the request did not come over the edge's connection", () => {
    const resolver = createClientCertificateResolver();
    expect(resolver.resolve({ fromEdge: false, header: xfccOf(good) })).toBeUndefined();
    expect(resolver.resolve({ fromEdge: true, header: undefined })).toBeUndefined();
  });

  it('serves the same frozen identity from its cache', () => {
    const resolver = createClientCertificateResolver();
    const request = { fromEdge: true, header: xfccOf(good) };
    expect(resolver.resolve(request)).toBe(resolver.resolve(request));
  });

  it('reads the same identity from two headers that carry one certificate', () => {
    const resolver = createClientCertificateResolver();
    const other = formatXfccElement({ hash: 'other', cert: good.certificatePem, subject: 'CN=other' });
    const first = resolver.resolve({ fromEdge: true, header: xfccOf(good) });
    expect(resolver.resolve({ fromEdge: true, header: other })).toEqual(first);
  });

  it('decodes a certificate once however many headers carry it', () => {
    const resolver = createClientCertificateResolver();
    const other = formatXfccElement({ hash: 'other', cert: good.certificatePem, subject: 'CN=other' });
    const first = resolver.resolve({ fromEdge: true, header: xfccOf(good) });
    expect(resolver.resolve({ fromEdge: true, header: other })).toBe(first);
  });

  it('checks the connection on a cache hit: a cached header sent by anyone but the edge is ignored', () => {
    const resolver = createClientCertificateResolver();
    const header = xfccOf(good);
    expect(resolver.resolve({ fromEdge: true, header })).toBeDefined();
    expect(resolver.resolve({ fromEdge: false, header })).toBeUndefined();
    expect(resolver.resolve({ fromEdge: true, header })).toBeDefined();
  });

  it('answers an empty header as no certificate, every time', () => {
    const resolver = createClientCertificateResolver();
    expect(resolver.resolve({ fromEdge: true, header: '  ' })).toBeUndefined();
    expect(resolver.resolve({ fromEdge: true, header: '  ' })).toBeUndefined();
  });

  it('still checks validity on a cache hit', () => {
    let now = new Date();
    const resolver = createClientCertificateResolver({ now: () => now });
    const request = { fromEdge: true, header: xfccOf(good) };
    expect(resolver.resolve(request)).toBeDefined();
    now = new Date(good.notAfter.getTime() + 1000);
    expect(codeOf(() => resolver.resolve(request))).toBe('ERR_CERT_EXPIRED');
  });

  it('remembers refusals too, and repeats them', () => {
    const resolver = createClientCertificateResolver();
    const request = { fromEdge: true, header: xfccOf(seal) };
    expect(codeOf(() => resolver.resolve(request))).toBe('ERR_CERT_NOT_WEB_AUTHENTICATION');
    expect(codeOf(() => resolver.resolve(request))).toBe('ERR_CERT_NOT_WEB_AUTHENTICATION');
  });

  it("reads the edge's element when a mesh appended its own, as header lines or elements", () => {
    const resolver = createClientCertificateResolver();
    const mesh =
      'By=spiffe://cluster.local/ns/psd2/sa/token;Hash=00;URI=spiffe://cluster.local/ns/psd2/sa/edge';
    expect(resolver.resolve({ fromEdge: true, header: `${xfccOf(good)},${xfccOf(seal)}` })?.x5tS256).toBe(
      good.x5tS256,
    );
    expect(resolver.resolve({ fromEdge: true, header: [xfccOf(good), mesh] })?.x5tS256).toBe(good.x5tS256);
    expect(
      codeOf(() => resolver.resolve({ fromEdge: true, header: `${xfccOf(seal)},${xfccOf(good)}` })),
    ).toBe('ERR_CERT_NOT_WEB_AUTHENTICATION');
  });

  it('keeps no more headers than its capacity', () => {
    const resolver = createClientCertificateResolver({ cacheSize: 1 });
    const other = formatXfccElement({ hash: 'other', cert: good.certificatePem });
    for (const header of [xfccOf(good), other, xfccOf(good)]) {
      expect(resolver.resolve({ fromEdge: true, header })?.x5tS256).toBe(good.x5tS256);
    }
  });
});
