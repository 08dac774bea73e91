import { describe, expect, it } from '@jest/globals';
import { codeOf } from './error-code.test-support.js';
import { certificateFromXfcc, formatXfccElement, parseXfcc, urlEncodePem } from './xfcc.js';

// A PEM whose base64 has the characters that break naive decoders: `+`, `/` and `=` padding.
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB+zCCAaGgAwIBAgIQ/x+y=\n-----END CERTIFICATE-----\n';
const HASH = '468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688';

describe('parseXfcc', () => {
  it("reads Envoy's documented single-element example", () => {
    const [element, ...rest] = parseXfcc(
      `By=http://frontend.lyft.com;Hash=${HASH};Subject="/C=US/ST=CA/L=San Francisco/OU=Lyft/CN=Test Client";URI=http://testclient.lyft.com`,
    );
    expect(rest).toHaveLength(0);
    expect(element).toEqual({
      by: ['http://frontend.lyft.com'],
      hash: HASH,
      cert: undefined,
      chain: undefined,
      subject: '/C=US/ST=CA/L=San Francisco/OU=Lyft/CN=Test Client',
      uri: ['http://testclient.lyft.com'],
      dns: [],
    });
  });

  it('splits several elements and keeps their order', () => {
    const elements = parseXfcc(
      `By=http://frontend.lyft.com;Hash=${HASH};URI=http://testclient.lyft.com,By=http://backend.lyft.com;Hash=9ba6;URI=http://frontend.lyft.com`,
    );
    expect(elements.map((element) => element.by)).toEqual([
      ['http://frontend.lyft.com'],
      ['http://backend.lyft.com'],
    ]);
    expect(elements[1]?.uri).toEqual(['http://frontend.lyft.com']);
  });

  it('collects repeated URI and DNS pairs', () => {
    const [element] = parseXfcc(`Hash=${HASH};URI=spiffe://a;URI=spiffe://b;DNS=lyft.com;DNS=www.lyft.com`);
    expect(element?.uri).toEqual(['spiffe://a', 'spiffe://b']);
    expect(element?.dns).toEqual(['lyft.com', 'www.lyft.com']);
  });

  it('treats keys case-insensitively', () => {
    const [element] = parseXfcc(`hash=${HASH};SUBJECT="CN=x";dns=a.example;Uri=spiffe://x`);
    expect(element).toMatchObject({ hash: HASH, subject: 'CN=x', dns: ['a.example'], uri: ['spiffe://x'] });
  });

  it('keeps , ; = inside quoted values and unescapes \\"', () => {
    const [element, ...rest] = parseXfcc(
      `Hash=${HASH};Subject="CN=\\"Quoted\\" Name,O=Org;with=signs,C=FR";URI=`,
    );
    expect(rest).toHaveLength(0);
    expect(element?.subject).toBe('CN="Quoted" Name,O=Org;with=signs,C=FR');
    expect(element?.uri).toEqual([]);
  });

  it('keeps DN escapes other than \\" as they are', () => {
    const [element] = parseXfcc('Subject="CN=a\\,b,O=c"');
    expect(element?.subject).toBe('CN=a\\,b,O=c');
  });

  it('URL-decodes Cert and Chain with decodeURIComponent, keeping a literal + intact', () => {
    const envoyEncoded = urlEncodePem(PEM);
    expect(envoyEncoded).not.toMatch(/[+/=\n ]/);
    const literalPlus = PEM.replace(/\n/g, '%0A').replace(/ /g, '%20');
    expect(literalPlus).toContain('+');
    for (const encoded of [envoyEncoded, literalPlus]) {
      const [element] = parseXfcc(`Hash=${HASH};Cert="${encoded}";Chain="${encoded}${encoded}"`);
      expect(element?.cert).toBe(PEM);
      expect(element?.chain).toBe(PEM + PEM);
    }
    // What a form decoder would have produced: a space where the base64 had a plus.
    expect(new URLSearchParams(`c=${literalPlus}`).get('c')).not.toBe(PEM);
  });

  it('tolerates spaces around elements and pairs, as when header lines are joined with ", "', () => {
    const elements = parseXfcc(` Hash=${HASH} ; URI=a , Hash=${HASH};URI=b `);
    expect(elements.map((element) => element.uri)).toEqual([['a'], ['b']]);
  });

  it('returns no element for an empty header and ignores unknown keys', () => {
    expect(parseXfcc('')).toEqual([]);
    expect(parseXfcc(`Hash=${HASH};Future="x;y"`)[0]?.hash).toBe(HASH);
  });

  it.each([
    ['no equals sign', 'Hash'],
    ['empty key', '=value'],
    ['unterminated quote', 'Subject="CN=x'],
    ['text after a closing quote', 'Subject="CN=x"junk'],
    ['quote inside an unquoted value', 'URI=a"b'],
    ['trailing comma', `Hash=${HASH},`],
    ['empty element', `Hash=${HASH},,Hash=${HASH}`],
    ['bad percent-encoding in Cert', 'Cert="%E0%A4%A"'],
  ])('refuses %s', (_case, header) => {
    expect(codeOf(() => parseXfcc(header))).toBe('ERR_XFCC_MALFORMED');
  });

  it('refuses a repeated single-valued key as ambiguous', () => {
    expect(codeOf(() => parseXfcc(`Hash=${HASH};Cert="a";Cert="b"`))).toBe('ERR_XFCC_AMBIGUOUS');
  });
});

describe('certificateFromXfcc', () => {
  it('returns the PEM of the one element the edge set', () => {
    expect(certificateFromXfcc(formatXfccElement({ hash: HASH, cert: PEM, subject: 'CN=x' }))).toBe(PEM);
  });

  it('means "no certificate" for an absent or blank header', () => {
    expect(certificateFromXfcc(undefined)).toBeUndefined();
    expect(certificateFromXfcc('  ')).toBeUndefined();
  });

  it("reads the edge's first element and ignores what a mesh sidecar appends after it", () => {
    const edge = formatXfccElement({ hash: HASH, cert: PEM, subject: 'CN=tpp' });
    // Istio's APPEND_FORWARD element: the edge workload's SPIFFE identity, no Cert.
    const istio = `By=spiffe://cluster.local/ns/psd2/sa/token;Hash=${HASH};Subject="";URI=spiffe://cluster.local/ns/psd2/sa/edge`;
    const other = '-----BEGIN CERTIFICATE-----\nMIIBothercert=\n-----END CERTIFICATE-----\n';
    expect(certificateFromXfcc(`${edge},${istio}`)).toBe(PEM);
    expect(certificateFromXfcc(`${edge}, ${formatXfccElement({ hash: HASH, cert: other })}`)).toBe(PEM);
  });

  it('refuses a first element without Cert even when a later one has one', () => {
    const later = formatXfccElement({ hash: HASH, cert: PEM });
    expect(codeOf(() => certificateFromXfcc(`By=spiffe://mesh;Hash=${HASH},${later}`))).toBe(
      'ERR_XFCC_NO_CERT',
    );
  });

  it('refuses the header when an appended element is malformed, rather than half reading it', () => {
    const edge = formatXfccElement({ hash: HASH, cert: PEM });
    expect(codeOf(() => certificateFromXfcc(`${edge},By="unterminated`))).toBe('ERR_XFCC_MALFORMED');
  });

  it('refuses an element without Cert', () => {
    expect(codeOf(() => certificateFromXfcc(`Hash=${HASH};Subject="CN=x"`))).toBe('ERR_XFCC_NO_CERT');
    expect(codeOf(() => certificateFromXfcc(`Hash=${HASH};Cert=""`))).toBe('ERR_XFCC_NO_CERT');
  });
});

describe('formatXfccElement', () => {
  it('writes the keys in Envoy order with Envoy quoting', () => {
    const header = formatXfccElement({
      hash: HASH,
      cert: PEM,
      chain: PEM,
      subject: 'CN=a,O=b',
      uri: [],
      dns: ['a.example', 'b.example'],
    });
    const encoded = urlEncodePem(PEM);
    expect(header).toBe(
      `Hash=${HASH};Cert="${encoded}";Chain="${encoded}";Subject="CN=a,O=b";URI=;DNS=a.example;DNS=b.example`,
    );
  });

  it('round-trips through parseXfcc', () => {
    const [element] = parseXfcc(
      formatXfccElement({ hash: HASH, cert: PEM, subject: 'CN="q"', uri: ['spiffe://x;y'], dns: ['d'] }),
    );
    expect(element).toMatchObject({
      hash: HASH,
      cert: PEM,
      subject: 'CN="q"',
      uri: ['spiffe://x;y'],
      dns: ['d'],
    });
  });
});
