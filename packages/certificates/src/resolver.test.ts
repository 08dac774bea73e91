import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  type IssuedCertificate,
  issueQwac,
} from '@psd2/test-pki';
import { codeOf } from './error-code.test-support.js';
import { createClientCertificateResolver } from './resolver.js';
import { createTrustedProxyCheck, forwardedClientCertificate } from './trusted-proxy.js';
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

describe('createTrustedProxyCheck', () => {
  it('trusts loopback by default, IPv4-mapped addresses included', () => {
    const trusted = createTrustedProxyCheck();
    expect(trusted('127.0.0.1')).toBe(true);
    expect(trusted('::1')).toBe(true);
    expect(trusted('::ffff:127.0.0.1')).toBe(true);
    expect(trusted('127.0.0.2')).toBe(false);
    expect(trusted('10.0.0.1')).toBe(false);
    expect(trusted(undefined)).toBe(false);
    expect(trusted('not-an-address')).toBe(false);
  });

  it('accepts addresses and CIDR ranges', () => {
    const trusted = createTrustedProxyCheck(['10.42.0.0/16', 'fd00::/8', '192.0.2.7']);
    expect(trusted('10.42.3.4')).toBe(true);
    expect(trusted('10.43.0.1')).toBe(false);
    expect(trusted('fd12::1')).toBe(true);
    expect(trusted('192.0.2.7')).toBe(true);
    expect(trusted('127.0.0.1')).toBe(false);
  });

  it.each(['localhost', '10.0.0.0/33', '10.0.0.0/x', '1.2.3.4/8/9'])('refuses the entry %p', (entry) => {
    expect(() => createTrustedProxyCheck([entry])).toThrow('not an IP address or CIDR range');
  });
});

describe('forwardedClientCertificate', () => {
  const trusted = createTrustedProxyCheck();
  it('passes the header on only from a trusted proxy', () => {
    expect(forwardedClientCertificate({ remoteAddress: '127.0.0.1', header: 'Hash=a' }, trusted)).toBe(
      'Hash=a',
    );
    expect(
      forwardedClientCertificate({ remoteAddress: '203.0.113.9', header: 'Hash=a' }, trusted),
    ).toBeUndefined();
  });

  it('joins repeated header lines so that the ambiguity is seen, not hidden', () => {
    expect(forwardedClientCertificate({ remoteAddress: '::1', header: ['Hash=a', 'Hash=b'] }, trusted)).toBe(
      'Hash=a,Hash=b',
    );
  });
});

describe('createClientCertificateResolver', () => {
  it('resolves the identity of the certificate in the header', () => {
    const resolver = createClientCertificateResolver();
    const identity = resolver.resolve({ remoteAddress: '127.0.0.1', header: xfccOf(good) });
    expect(identity).toMatchObject({
      organizationIdentifier: 'PSDFR-ACPR-12345',
      roles: ['PSP_AI', 'PSP_PI'],
    });
    expect(identity?.x5tS256).toBe(good.x5tS256);
  });

  it('acts as if no certificate was sent when the peer is not a trusted proxy', () => {
    const resolver = createClientCertificateResolver({ trustedProxies: ['10.0.0.1'] });
    expect(resolver.resolve({ remoteAddress: '127.0.0.1', header: xfccOf(good) })).toBeUndefined();
    expect(resolver.resolve({ remoteAddress: '10.0.0.1', header: undefined })).toBeUndefined();
  });

  it('serves the same frozen identity from its cache', () => {
    const resolver = createClientCertificateResolver();
    const request = { remoteAddress: '127.0.0.1', header: xfccOf(good) };
    expect(resolver.resolve(request)).toBe(resolver.resolve(request));
  });

  it('reads the same identity from two headers that carry one certificate', () => {
    const resolver = createClientCertificateResolver();
    const other = formatXfccElement({ hash: 'other', cert: good.certificatePem, subject: 'CN=other' });
    const first = resolver.resolve({ remoteAddress: '127.0.0.1', header: xfccOf(good) });
    expect(resolver.resolve({ remoteAddress: '127.0.0.1', header: other })).toEqual(first);
  });

  it('decodes a certificate once however many headers carry it', () => {
    const resolver = createClientCertificateResolver();
    const other = formatXfccElement({ hash: 'other', cert: good.certificatePem, subject: 'CN=other' });
    const first = resolver.resolve({ remoteAddress: '127.0.0.1', header: xfccOf(good) });
    expect(resolver.resolve({ remoteAddress: '127.0.0.1', header: other })).toBe(first);
  });

  it('checks the peer on a cache hit: a cached header from an untrusted peer is ignored', () => {
    const resolver = createClientCertificateResolver({ trustedProxies: ['10.0.0.1'] });
    const header = xfccOf(good);
    expect(resolver.resolve({ remoteAddress: '10.0.0.1', header })).toBeDefined();
    expect(resolver.resolve({ remoteAddress: '10.0.0.2', header })).toBeUndefined();
    expect(resolver.resolve({ remoteAddress: '10.0.0.1', header })).toBeDefined();
  });

  it('answers an empty header as no certificate, every time', () => {
    const resolver = createClientCertificateResolver();
    expect(resolver.resolve({ remoteAddress: '127.0.0.1', header: '  ' })).toBeUndefined();
    expect(resolver.resolve({ remoteAddress: '127.0.0.1', header: '  ' })).toBeUndefined();
  });

  it('still checks validity on a cache hit', () => {
    let now = new Date();
    const resolver = createClientCertificateResolver({ now: () => now });
    const request = { remoteAddress: '127.0.0.1', header: xfccOf(good) };
    expect(resolver.resolve(request)).toBeDefined();
    now = new Date(good.notAfter.getTime() + 1000);
    expect(codeOf(() => resolver.resolve(request))).toBe('ERR_CERT_EXPIRED');
  });

  it('remembers refusals too, and repeats them', () => {
    const resolver = createClientCertificateResolver();
    const request = { remoteAddress: '127.0.0.1', header: xfccOf(seal) };
    expect(codeOf(() => resolver.resolve(request))).toBe('ERR_CERT_NOT_WEB_AUTHENTICATION');
    expect(codeOf(() => resolver.resolve(request))).toBe('ERR_CERT_NOT_WEB_AUTHENTICATION');
  });

  it('refuses an ambiguous header from a trusted proxy, from the cache too', () => {
    const resolver = createClientCertificateResolver();
    const header = `${xfccOf(good)},${xfccOf(seal)}`;
    expect(codeOf(() => resolver.resolve({ remoteAddress: '127.0.0.1', header }))).toBe('ERR_XFCC_AMBIGUOUS');
    expect(codeOf(() => resolver.resolve({ remoteAddress: '127.0.0.1', header }))).toBe('ERR_XFCC_AMBIGUOUS');
  });

  it('keeps no more headers than its capacity', () => {
    const resolver = createClientCertificateResolver({ cacheSize: 1 });
    const other = formatXfccElement({ hash: 'other', cert: good.certificatePem });
    for (const header of [xfccOf(good), other, xfccOf(good)]) {
      expect(resolver.resolve({ remoteAddress: '127.0.0.1', header })?.x5tS256).toBe(good.x5tS256);
    }
  });
});
