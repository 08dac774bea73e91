import { DEMO_QWACS, type DemoQwacName } from '@psd2/test-pki';
import fc from 'fast-check';
import type { Failure } from '../checks.js';
import {
  anyText,
  badPercentEscape,
  bodyEncoding,
  contentType,
  formEncoder,
  idLike,
  nastyChar,
  oversize,
} from '../hostile.js';
import type { PoolTargets } from '../live-state.js';
import {
  type Body,
  type CertificateChoice,
  type FuzzRequest,
  LIVE_VALUES,
  live,
  type Subject,
  type WireRequest,
} from '../request.js';
import type { WireResponse } from '../transport.js';

/*
 * What every endpoint's generator shares: the mix of valid and hostile values (mostly valid, so that
 * requests pass the first checks and reach deep code), the certificate choice, extra headers, form
 * parameter mutations (dropped, duplicated, replaced, extra) and the request defaults.
 */

export interface FuzzEndpoint {
  /** Stable name, used by FUZZ_ENDPOINTS and in reports. */
  readonly name: string;
  /** What the live state must hold before each chunk of this endpoint's requests. */
  readonly pools: PoolTargets;
  /** Fewer requests in flight than the run's, where the system deliberately serialises work (scrypt). */
  readonly concurrency?: number;
  readonly requests: fc.Arbitrary<FuzzRequest>;
  /** Properties of this endpoint's own, beyond those every response has (checks.ts). */
  readonly check?: (request: WireRequest, response: WireResponse) => Failure[];
}

export type Pairs = readonly (readonly [string, string])[];

/** Any value a hostile or broken client sends instead of the right one, a live value of another kind included. */
export const hostileValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: idLike },
  { weight: 1, arbitrary: fc.constantFrom(...LIVE_VALUES).map(live) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...LIVE_VALUES), nastyChar).map(([v, c]) => live(v) + c) },
);

/** Mostly `valid`, sometimes hostile. */
export function mostly(valid: fc.Arbitrary<string>, validWeight = 6): fc.Arbitrary<string> {
  return fc.oneof({ weight: validWeight, arbitrary: valid }, { weight: 1, arbitrary: hostileValue });
}

export const ALL_QWACS = Object.keys(DEMO_QWACS) as DemoQwacName[];

/** Mostly the subject's owner; otherwise any demo QWAC (expired, QSealC, other organisation...) or none. */
export const certificate: fc.Arbitrary<CertificateChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('owner' as const) },
  { weight: 3, arbitrary: fc.constantFrom(...ALL_QWACS) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

export const lang = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('fr', 'en') },
  { weight: 1, arbitrary: fc.constantFrom('FR', 'de', 'fr-FR', '', '%66r') },
);

const pick = fc.nat({ max: 1000 });

export const subjectOf = (
  kind: 'client' | 'consent' | 'tokens' | 'managed' | 'pisp' | 'pushed' | 'payment',
): fc.Arbitrary<Subject> => pick.map((n) => ({ kind, pick: n }));

const FORGED_XFCC = fc.oneof(
  fc.constant(
    'Hash=00;Cert="-----BEGIN%20CERTIFICATE-----%0AAA%3D%3D%0A-----END%20CERTIFICATE-----";Subject="CN=x"',
  ),
  fc.constant('By=spiffe://x;Hash=abc'),
  fc.constant('Cert="unterminated'),
  oversize,
  anyText,
);

/** Headers a client can add: forged certificates, junk cookies, odd accepts, encodings, sizes. */
const extraHeader: fc.Arbitrary<readonly [string, string]> = fc.oneof(
  FORGED_XFCC.map((v) => ['x-forwarded-client-cert', v] as const),
  fc
    .constantFrom('text/html', 'application/json', '*/*', 'image/png', '', 'text/html;q=0')
    .map((v) => ['accept', v] as const),
  fc
    .constantFrom('gzip', 'br', 'deflate', 'identity', 'bogus', 'gzip, gzip')
    .map((v) => ['content-encoding', v] as const),
  fc.constantFrom('https://evil.example', 'null', '', 'https://localhost').map((v) => ['origin', v] as const),
  anyText.map((v) => ['cookie', `__Host-psd2-authz=${v}`] as const),
  fc.constantFrom('fr', 'en', '*', 'zz;q=x', '').map((v) => ['accept-language', v] as const),
  anyText.map((v) => ['x-forwarded-for', v] as const),
  fc
    .constantFrom('Basic Og==', 'Bearer', 'Bearer  ', 'DPoP x', 'Bearer a b')
    .map((v) => ['authorization', v] as const),
  fc.tuple(fc.stringMatching(/^x-[a-z]{1,12}$/), anyText),
  fc.constantFrom(2_000, 20_000, 70_000).map((n) => ['x-padding', 'p'.repeat(n)] as const),
);

/** Usually none, so that most requests are about their parameters; sometimes one or two. */
export const extraHeaders = fc.oneof(
  { weight: 4, arbitrary: fc.constant([]) },
  { weight: 1, arbitrary: fc.array(extraHeader, { minLength: 1, maxLength: 2 }) },
);

/** One parameter, mutated: kept, replaced by a hostile value, dropped, or sent twice. */
function mutated(name: string, valid: fc.Arbitrary<string>): fc.Arbitrary<Pairs> {
  return fc.oneof(
    { weight: 30, arbitrary: valid.map((v) => [[name, v]] as const) },
    { weight: 2, arbitrary: hostileValue.map((v) => [[name, v]] as const) },
    { weight: 1, arbitrary: fc.constant([]) },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, mostly(valid, 1)).map(
        ([a, b]) =>
          [
            [name, a],
            [name, b],
          ] as const,
      ),
    },
  );
}

const extraPair: fc.Arbitrary<readonly [string, string]> = fc.tuple(
  fc.oneof(
    fc.constantFrom('client_secret', 'assertion', 'resource', 'audience', '', '[]', 'a[b]', '__proto__'),
    anyText,
  ),
  hostileValue,
);

/** A parameter list built from the valid one, each parameter mutated, sometimes with extras. */
export function params(base: readonly (readonly [string, fc.Arbitrary<string>])[]): fc.Arbitrary<Pairs> {
  return fc
    .tuple(
      fc.tuple(...base.map(([name, valid]) => mutated(name, valid))),
      fc.array(extraPair, { maxLength: 2 }),
    )
    .map(([parts, extra]) => [...parts.flat(), ...extra]);
}

/** A form body of those parameters, or something else in its place (JSON, text, nothing). */
export function formBody(pairs: fc.Arbitrary<Pairs>): fc.Arbitrary<{ body: Body; type: string }> {
  return fc.oneof(
    {
      weight: 10,
      arbitrary: fc.tuple(pairs, formEncoder).map(([p, encoding]) => ({
        body: { kind: 'form', params: p, encoding } as Body,
        type: 'application/x-www-form-urlencoded',
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(pairs, contentType)
        .map(([p, type]) => ({ body: { kind: 'form', params: p, encoding: 'standard' } as Body, type })),
    },
    {
      weight: 1,
      arbitrary: pairs.map((p) => ({
        body: { kind: 'json', value: Object.fromEntries(p) } as Body,
        type: 'application/json',
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.oneof(anyText, oversize, badPercentEscape), contentType)
        .map(([text, type]) => ({ body: { kind: 'text', text } as Body, type })),
    },
  );
}

/** A request path segment: the right one mostly, otherwise escapes and junk. */
export function segment(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: valid },
    { weight: 1, arbitrary: badPercentEscape },
    { weight: 1, arbitrary: hostileValue.map((v) => encodeURIComponent(v.replace(/[\ud800-\udfff]/g, ''))) },
    { weight: 1, arbitrary: fc.tuple(valid, badPercentEscape).map(([v, e]) => v + e) },
  );
}

/** Usually the endpoint's method; sometimes another. */
export function method(valid: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 20, arbitrary: fc.constant(valid) },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') },
  );
}

export interface RequestParts {
  readonly method: string;
  readonly path: string;
  readonly query?: Pairs;
  readonly queryEncoding?: FuzzRequest['queryEncoding'];
  readonly body?: { body: Body; type: string };
  readonly headers?: Pairs;
  readonly extra: Pairs;
  readonly certificate: CertificateChoice;
  readonly subject: Subject;
  readonly bodyEncoding?: BufferEncoding;
  readonly direct?: FuzzRequest['direct'];
}

export function request(parts: RequestParts): FuzzRequest {
  const typeHeader: Pairs =
    parts.body === undefined || parts.body.type === '' ? [] : [['content-type', parts.body.type]];
  return {
    method: parts.method,
    path: parts.path,
    query: parts.query ?? [],
    queryEncoding: parts.queryEncoding ?? 'standard',
    headers: [...typeHeader, ...(parts.headers ?? []), ...parts.extra],
    body: parts.body?.body ?? { kind: 'none' },
    bodyEncoding: parts.bodyEncoding ?? 'utf8',
    certificate: parts.certificate,
    subject: parts.subject,
    ...(parts.direct ? { direct: parts.direct } : {}),
  };
}

export { bodyEncoding };
