import { readFileSync } from 'node:fs';
import type { DemoPki } from '@psd2/test-pki';
import fc from 'fast-check';
import { isEdgeRefusal } from '../checks.js';
import { anyText, badPercentEscape, bodyEncoding, formEncoder, oversize } from '../hostile.js';
import { live } from '../request.js';
import {
  ALL_QWACS,
  certificate,
  extraHeaders,
  type FuzzEndpoint,
  formBody,
  hostileValue,
  method,
  params,
  request,
  segment,
  subjectOf,
} from './common.js';

/*
 * The public documents (RFC 8414 metadata, the OpenAPI document), paths no route knows, and the
 * forwarded-certificate header sent straight to a service as a compromised or misconfigured proxy
 * would: every XFCC form (several elements, quoting, escapes, sizes, certificates of every kind).
 */

const junkQuery = fc.array(
  fc.tuple(fc.oneof(anyText, fc.constantFrom('a', 'callback', '__proto__')), hostileValue),
  { maxLength: 3 },
);

const publicDocument = (name: string, path: string): FuzzEndpoint => ({
  name,
  pools: {},
  requests: fc
    .record({
      method: method('GET'),
      query: junkQuery,
      queryEncoding: formEncoder,
      certificate: fc.oneof(fc.constant(undefined), certificate),
      extra: extraHeaders,
      tail: fc.oneof({ weight: 10, arbitrary: fc.constant('') }, { weight: 1, arbitrary: badPercentEscape }),
    })
    .map(({ tail, ...rest }) => request({ ...rest, path: path + tail, subject: { kind: 'none' } })),
});

export const metadataEndpoint = publicDocument('metadata', '/.well-known/oauth-authorization-server');
export const openApiEndpoint = publicDocument('openapi', '/oauth2/openapi.json');

/** The files the documentation page loads (services/token/src/docs.ts); any other name is a 404. */
const DOCS_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js', 'docs-init.js'];

const docsFile = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...DOCS_FILES) },
  {
    weight: 4,
    arbitrary: fc.oneof(
      fc.constantFrom(
        'swagger-ui.js',
        'SWAGGER-UI.CSS',
        'swagger-ui.css.map',
        'index.html',
        'package.json',
        '..%2fpackage.json',
        '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        'swagger-ui.css%00',
        'swagger-ui.css;.js',
        '%73wagger-ui.css',
      ),
      badPercentEscape,
      fc.tuple(fc.constantFrom(...DOCS_FILES), badPercentEscape).map(([f, e]) => f + e),
      hostileValue.map((v) => encodeURIComponent(v.replace(/[\ud800-\udfff]/g, ''))),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('swagger-ui.css/x', 'a/b', '', '/', '.', '..') },
);

/** GET /oauth2/docs (Swagger UI) and the files under it, with junk names, queries and headers. */
export const docsEndpoint: FuzzEndpoint = {
  name: 'docs',
  pools: {},
  requests: fc
    .record({
      method: method('GET'),
      file: fc.option(docsFile, { nil: undefined, freq: 4 }),
      query: junkQuery,
      queryEncoding: formEncoder,
      certificate: fc.oneof(fc.constant(undefined), certificate),
      extra: extraHeaders,
    })
    .map(({ file, ...rest }) =>
      request({
        ...rest,
        path: file === undefined ? '/oauth2/docs' : `/oauth2/docs/${file}`,
        subject: { kind: 'none' },
      }),
    ),
  check: (wire, response) => {
    // Only a GET of a plain file name that the router decodes and does not know must be its 404.
    const name = /^\/oauth2\/docs\/([^/?]+)(?:\?|$)/.exec(wire.target)?.[1];
    if (wire.method !== 'GET' || name === undefined) return [];
    let decoded: string;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      return [];
    }
    // Dot segments leave /oauth2/docs before routing (the page itself, or no route at all).
    if (decoded === '.' || decoded === '..') return [];
    if (DOCS_FILES.includes(decoded) || response.status === 404 || isEdgeRefusal(response)) return [];
    return [
      { failure: 'unexpected-status', detail: `${response.status} for unknown file ${decoded.slice(0, 60)}` },
    ];
  },
};

/** Paths under every route prefix and none: unknown pages, escapes the router cannot decode, traversal. */
const unknownPath = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        '/oauth2/fr/',
        '/oauth2/en/',
        '/oauth2/register/',
        '/oauth2/',
        '/',
        '/.well-known/',
        '/oauth2/fr/banque/',
        '/oauth2/en/sandbox/',
      ),
      segment(
        fc.constantFrom('x', '..', '%2e%2e', 'signin.html', 'static/authorize.css', 'healthz', 'metrics'),
      ),
    )
    .map(([a, b]) => a + b),
  fc
    .tuple(fc.constantFrom('/oauth2/fr/', '/oauth2/register/', '/oauth2/token/'), badPercentEscape)
    .map(([a, b]) => a + b),
  fc.constantFrom(
    '/oauth2/register/%E0%A4%A',
    '/oauth2/fr/%FF',
    '/oauth2/token?%',
    '//oauth2/token',
    '/oauth2/fr/static/authorize.css',
    '/healthz',
    '/readyz',
    '/metrics',
  ),
  fc
    .array(fc.oneof(fc.stringMatching(/^[a-z%.]{1,8}$/), badPercentEscape), { minLength: 1, maxLength: 5 })
    .map((parts) => `/${parts.join('/')}`),
);

export const unknownPathEndpoint: FuzzEndpoint = {
  name: 'unknown-path',
  pools: {},
  requests: fc
    .record({
      path: unknownPath,
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD'),
      certificate: fc.oneof(fc.constant(undefined), certificate),
      extra: extraHeaders,
      body: fc.option(formBody(params([['a', anyText]])), { nil: undefined }),
      bodyEncoding,
    })
    .map(({ body, ...rest }) =>
      request({ ...rest, ...(body === undefined ? {} : { body }), subject: { kind: 'none' } }),
    ),
};

/** An XFCC element for a demo certificate, in Envoy's format, with every part mutable. */
function xfccElements(pki: DemoPki): fc.Arbitrary<string> {
  const pems = ALL_QWACS.map((name) => readFileSync(pki.qwacs[name].cert, 'utf8'));
  const element = fc
    .record({
      pem: fc.constantFrom(...pems),
      hash: fc.oneof(fc.constant('00'), fc.stringMatching(/^[0-9a-f]{64}$/)),
      subject: fc.oneof(fc.constant('CN=Fuzz,O=Fuzz'), anyText),
      mangle: fc.constantFrom(
        'none',
        'none',
        'none',
        'truncate',
        'unescaped',
        'unquoted',
        'double-escape',
        'base64-junk',
      ),
    })
    .map(({ pem, hash, subject, mangle }) => {
      let cert = encodeURIComponent(pem);
      if (mangle === 'truncate') cert = cert.slice(0, Math.floor(cert.length / 2));
      if (mangle === 'unescaped') cert = pem;
      if (mangle === 'double-escape') cert = encodeURIComponent(cert);
      if (mangle === 'base64-junk') cert = cert.replace(/[A-Za-z]{10}/, '%%%%%%%%%%');
      const quoted = mangle === 'unquoted' ? cert : `"${cert}"`;
      return `Hash=${hash};Cert=${quoted};Subject="${subject.replaceAll('"', '\\"')}"`;
    });
  return fc.oneof(
    { weight: 6, arbitrary: element },
    { weight: 2, arbitrary: fc.array(element, { minLength: 2, maxLength: 4 }).map((list) => list.join(',')) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        anyText,
        oversize,
        fc.constantFrom('', ';;;', 'Cert=', 'Cert=""', 'Hash="', ',,,', 'By=x;By=y'),
      ),
    },
  );
}

/** The services behind the edge, given an XFCC header on a connection with the edge's own certificate. */
export function directXfccEndpoint(pki: DemoPki): FuzzEndpoint {
  return {
    name: 'xfcc-direct',
    pools: { tokens: 4 },
    requests: fc
      .record({
        direct: fc.constantFrom('token' as const, 'revocation' as const, 'registration' as const),
        xfcc: fc.array(xfccElements(pki), { minLength: 1, maxLength: 2 }),
        subject: subjectOf('tokens'),
        extra: extraHeaders,
        bodyEncoding,
        pairs: params([
          ['grant_type', fc.constantFrom('client_credentials', 'refresh_token')],
          ['client_id', fc.constant(live('clientId'))],
          ['refresh_token', fc.constant(live('refreshToken'))],
          ['token', fc.constant(live('accessToken'))],
        ]),
      })
      .chain(({ direct, xfcc, pairs, ...rest }) =>
        formBody(fc.constant(pairs)).map((body) =>
          request({
            ...rest,
            method: direct === 'registration' ? 'GET' : 'POST',
            path:
              direct === 'token'
                ? '/oauth2/token'
                : direct === 'revocation'
                  ? '/oauth2/revoke'
                  : `/oauth2/register/${live('clientId')}`,
            headers: xfcc.map((value) => ['x-forwarded-client-cert', value] as const),
            ...(direct === 'registration' ? {} : { body }),
            certificate: undefined,
            direct,
          }),
        ),
      ),
  };
}
