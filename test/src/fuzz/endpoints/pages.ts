import fc from 'fast-check';
import { anyText, bodyEncoding, formEncoder } from '../hostile.js';
import { MINT_PSUS, SANDBOX_PASSWORD } from '../live-state.js';
import { live, type SessionStage, type Subject } from '../request.js';
import {
  extraHeaders,
  type FuzzEndpoint,
  formBody,
  hostileValue,
  lang,
  method,
  mostly,
  params,
  request,
  segment,
  subjectOf,
} from './common.js';

/*
 * The PSU's pages (RFC 6749 §4.1.1 authorization requests, then sign-in, one-time code and consent
 * forms). Requests come from a browser (no certificate), name a live client with PKCE, and post with
 * a live session cookie and its CSRF token at the right stage, or at the wrong one, or with junk.
 */

const authorizationQuery = params([
  ['response_type', mostly(fc.constant('code'), 8)],
  ['client_id', fc.constant(live('clientId'))],
  [
    'redirect_uri',
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(live('redirectUri')) },
      { weight: 1, arbitrary: fc.constantFrom('https://evil.example/cb', 'https://tpp.example/cb?x=1') },
    ),
  ],
  [
    'scope',
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(live('scope')) },
      { weight: 1, arbitrary: fc.constantFrom('pisp', 'aisp cbpii', 'openid', '') },
    ),
  ],
  ['state', fc.oneof(fc.constant('s1'), anyText)],
  [
    'code_challenge',
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(live('challenge')) },
      { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{0,50}$/) },
    ),
  ],
  ['code_challenge_method', mostly(fc.constantFrom('S256', 'S256', 'plain'), 6)],
  ['ui_locales', fc.constantFrom('fr', 'en', 'de', 'en-GB fr', '')],
]);

const clientOrAnother = fc.oneof(
  { weight: 8, arbitrary: fc.constant(live('clientId')) },
  { weight: 1, arbitrary: fc.constant(live('otherClientId')) },
);

/**
 * RFC 9126 §4: `client_id` + `request_uri` of a request pushed through the edge (live, one of an
 * earlier chunk, another client's, made up), sometimes with parameters that must be ignored.
 */
const pushedQuery = fc
  .tuple(
    params([
      ['client_id', clientOrAnother],
      [
        'request_uri',
        fc.oneof(
          { weight: 6, arbitrary: fc.constant(live('requestUri')) },
          { weight: 2, arbitrary: fc.constant(live('spentRequestUri')) },
          {
            weight: 1,
            arbitrary: fc
              .stringMatching(/^[A-Za-z0-9_-]{0,64}$/)
              .map((id) => `urn:ietf:params:oauth:request_uri:${id}`),
          },
        ),
      ],
    ]),
    fc.array(
      fc.constantFrom(
        ['redirect_uri', 'https://evil.example/cb'],
        ['scope', 'aisp'],
        ['response_type', 'token'],
        ['payment_request_id', live('paymentRequestId')],
        ['authorization_details', '[]'],
      ) as fc.Arbitrary<readonly [string, string]>,
      { maxLength: 2 },
    ),
  )
  .map(([pairs, ignored]) => [...pairs, ...ignored]);

/** The STET consent-approval URL (payment_request_id) completed by the PISP as any request. */
const paymentQuery = params([
  ['response_type', mostly(fc.constant('code'), 8)],
  ['client_id', clientOrAnother],
  ['scope', mostly(fc.constant('pisp'), 8)],
  [
    'payment_request_id',
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(live('paymentRequestId')) },
      { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{0,129}$/) },
    ),
  ],
  ['redirect_uri', fc.constant(live('redirectUri'))],
  ['state', fc.oneof(fc.constant('s1'), anyText)],
  ['code_challenge', fc.constant(live('challenge'))],
  ['code_challenge_method', mostly(fc.constant('S256'), 8)],
]);

const pageRequest = fc.oneof(
  { weight: 4, arbitrary: fc.record({ query: authorizationQuery, subject: subjectOf('client') }) },
  { weight: 2, arbitrary: fc.record({ query: pushedQuery, subject: subjectOf('pushed') }) },
  { weight: 2, arbitrary: fc.record({ query: paymentQuery, subject: subjectOf('payment') }) },
);

const authorizationPage = (name: string, page: string): FuzzEndpoint => ({
  name,
  // Each chunk's request_uris are single use: enough for the pushed share of a chunk to meet live ones.
  pools: { pushed: 16, payments: 8 },
  requests: fc
    .record({
      lang,
      request: pageRequest,
      queryEncoding: formEncoder,
      method: method('GET'),
      extra: extraHeaders,
    })
    .map(({ request: { query, subject }, ...rest }) => ({ ...rest, query, subject }))
    .map(({ lang: l, ...rest }) =>
      request({ ...rest, path: `/oauth2/${l}/${page}`, certificate: undefined }),
    ),
});

export const sandboxPageEndpoint = authorizationPage('sandbox-page', 'sandbox/signin.html');
export const bankPageEndpoint = authorizationPage('bank-page', 'banque/oauth2_authorization.aspx');

/** A session at `stage` mostly, at another stage sometimes (steps out of order), or none. */
const sessionSubject = (stage: SessionStage): fc.Arbitrary<Subject> =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.nat({ max: 1000 }).map((pick) => ({ kind: 'session', stage, pick }) as Subject),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom<SessionStage>('sandbox', 'password', 'otp', 'consent'), fc.nat({ max: 1000 }))
        .map(([s, pick]) => ({ kind: 'session', stage: s, pick }) as Subject),
    },
  );

const cookie = fc.oneof(
  { weight: 10, arbitrary: fc.constant([['cookie', `__Host-psd2-authz=${live('session')}`]] as const) },
  { weight: 1, arbitrary: fc.constant([] as const) },
  { weight: 1, arbitrary: hostileValue.map((v) => [['cookie', `__Host-psd2-authz=${v}`]] as const) },
  {
    weight: 1,
    arbitrary: fc.constant([
      ['cookie', `__Host-psd2-authz=${live('session')}; __Host-psd2-authz=x`],
    ] as const),
  },
);

const csrf = fc.oneof(
  { weight: 8, arbitrary: fc.constant(live('csrf')) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{0,43}$/) },
);
const decision = mostly(fc.constantFrom('grant', 'deny'), 6);

/** A form post of one step of the pages, with its session. */
const formStep = (
  name: string,
  path: string,
  stage: SessionStage,
  fields: Parameters<typeof params>[0],
  pools: FuzzEndpoint['pools'],
  concurrency?: number,
): FuzzEndpoint => ({
  name,
  pools,
  ...(concurrency === undefined ? {} : { concurrency }),
  requests: fc
    .record({
      lang,
      subject: sessionSubject(stage),
      cookie,
      body: formBody(params([['csrf_token', csrf], ...fields])),
      method: method('POST'),
      extra: extraHeaders,
      bodyEncoding,
    })
    .map(({ lang: l, cookie: c, ...rest }) =>
      request({ ...rest, path: `/oauth2/${l}/${path}`, headers: c, certificate: undefined }),
    ),
});

/** A step page fetched with its session. */
const stepPage = (
  name: string,
  path: string,
  stage: SessionStage,
  pools: FuzzEndpoint['pools'],
): FuzzEndpoint => ({
  name,
  pools,
  requests: fc
    .record({
      lang,
      subject: sessionSubject(stage),
      cookie,
      method: method('GET'),
      extra: extraHeaders,
      tail: segment(fc.constant('')),
    })
    .map(({ lang: l, cookie: c, tail, ...rest }) =>
      request({ ...rest, path: `/oauth2/${l}/${path}${tail}`, headers: c, certificate: undefined }),
    ),
});

const psuIds = fc.constantFrom('psu-alice', 'psu-bruno', 'psu-chloe', 'psu-nobody', ...MINT_PSUS);

export const sandboxConsentEndpoint = formStep(
  'sandbox-consent',
  'sandbox/consent',
  'sandbox',
  [
    ['decision', decision],
    ['psu', mostly(psuIds, 4)],
  ],
  { sessions: { sandbox: 8 } },
);

export const bankSignInEndpoint = formStep(
  'bank-signin',
  'banque/signin',
  'password',
  [
    ['customer_id', mostly(psuIds, 4)],
    ['password', mostly(fc.constantFrom(SANDBOX_PASSWORD, 'wrong-password', ''), 3)],
  ],
  // A session's first accepted post moves it to the code step (later posts are redirected there): 32
  // fresh sessions a chunk give 32 password checks through the deep code.
  { sessions: { password: 32 } },
  // Each post that passes the throttles costs one deliberate scrypt check, two at a time: more in
  // flight would only wait at the gate (docs/fuzzing.md).
  8,
);

export const bankOtpEndpoint = formStep(
  'bank-otp',
  'banque/otp',
  'otp',
  [['otp', mostly(fc.stringMatching(/^[0-9]{6}$/), 4)]],
  { sessions: { otp: 4 } },
);

export const bankConsentEndpoint = formStep(
  'bank-consent',
  'banque/consent',
  'consent',
  [['decision', decision]],
  {
    sessions: { consent: 2, password: 2 },
  },
);

export const bankOtpPageEndpoint = stepPage('bank-otp-page', 'banque/otp', 'otp', { sessions: { otp: 4 } });
export const bankConsentPageEndpoint = stepPage('bank-consent-page', 'banque/consent', 'consent', {
  sessions: { consent: 2, password: 2 },
});
