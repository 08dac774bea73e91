import fc from 'fast-check';
import { anyText, bodyEncoding } from '../hostile.js';
import { live, type Subject } from '../request.js';
import {
  certificate,
  extraHeaders,
  type FuzzEndpoint,
  formBody,
  method,
  mostly,
  params,
  request,
} from './common.js';
import { authorizationDetails } from './payment-details.js';

/*
 * POST /oauth2/par (RFC 9126) with RFC 9396 payment details: the pisp authorization_code client (psp-pi)
 * authenticating with its QWAC (tls_client_auth) mostly, a form that starts as a valid payment
 * authorization request and is mutated parameter by parameter, authorization_details above all
 * (payment-details.ts). Sometimes another live client pushes (no payment details needed for aisp).
 */

const pushedForm = params([
  [
    'client_id',
    fc.oneof(
      { weight: 8, arbitrary: fc.constant(live('clientId')) },
      { weight: 1, arbitrary: fc.constant(live('otherClientId')) },
    ),
  ],
  ['response_type', mostly(fc.constantFrom('code', 'code', 'token', 'code id_token'), 8)],
  [
    'redirect_uri',
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(live('redirectUri')) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'https://evil.example/cb',
          'https://tpp.example/cb?x=1',
          'http://tpp.example/cb',
        ),
      },
    ),
  ],
  // Absent (an empty value is as if omitted, RFC 6749 §3.1) or the client's own scope mostly.
  [
    'scope',
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(live('scope')) },
      { weight: 2, arbitrary: fc.constant('') },
      {
        weight: 1,
        arbitrary: fc.constantFrom('pisp', 'aisp', 'pisp aisp', 'PISP', 'openid pisp', 'pisp pisp'),
      },
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
  ['code_challenge_method', mostly(fc.constantFrom('S256', 'S256', 'plain', 's256'), 6)],
  ['authorization_details', authorizationDetails],
]);

/** Parameters a pushed request may or may not carry: RFC 9126 §2.1 forbids request_uri in it. */
const pushedExtra = fc.oneof(
  { weight: 6, arbitrary: fc.constant([]) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'request_uri',
          'request',
          'ui_locales',
          'prompt',
          'nonce',
          'payment_request_id',
          'resource',
        ),
        fc.oneof(
          fc.constantFrom('fr', 'en', 'urn:ietf:params:oauth:request_uri:abc', 'eyJhbGciOiJub25lIn0.e30.'),
          fc.constant(live('requestUri')),
          anyText,
        ),
      )
      .map((pair) => [pair]),
  },
);

const parSubject: fc.Arbitrary<Subject> = fc.oneof(
  { weight: 5, arbitrary: fc.nat({ max: 1000 }).map((pick) => ({ kind: 'pisp', pick }) as Subject) },
  { weight: 1, arbitrary: fc.nat({ max: 1000 }).map((pick) => ({ kind: 'client', pick }) as Subject) },
);

/** Every parameter, body and header mutable: the request parser, authentication and the checks. */
const mutatedRequest = fc
  .record({
    pairs: fc.tuple(pushedForm, pushedExtra).map(([form, extra]) => [...form, ...extra]),
    subject: parSubject,
    method: method('POST'),
    certificate,
    extra: extraHeaders,
    bodyEncoding,
  })
  .chain(({ pairs, ...rest }) =>
    formBody(fc.constant(pairs)).map((body) => request({ ...rest, path: '/oauth2/par', body })),
  );

/** The pisp client's valid request, properly sent with its QWAC, but for its payment details. */
const detailsRequest = fc
  .record({ details: authorizationDetails, pick: fc.nat({ max: 1000 }) })
  .map(({ details, pick }) =>
    request({
      method: 'POST',
      path: '/oauth2/par',
      body: {
        body: {
          kind: 'form',
          encoding: 'standard',
          params: [
            ['client_id', live('clientId')],
            ['response_type', 'code'],
            ['redirect_uri', live('redirectUri')],
            ['scope', 'pisp'],
            ['state', 's1'],
            ['code_challenge', live('challenge')],
            ['code_challenge_method', 'S256'],
            ['authorization_details', details],
          ],
        },
        type: 'application/x-www-form-urlencoded',
      },
      extra: [],
      certificate: 'owner',
      subject: { kind: 'pisp', pick },
    }),
  );

export const parEndpoint: FuzzEndpoint = {
  name: 'par',
  pools: {},
  requests: fc.oneof({ weight: 3, arbitrary: mutatedRequest }, { weight: 2, arbitrary: detailsRequest }),
  check: (_request, response) => {
    // RFC 9126 §2.2: a 201 carries exactly the request_uri and its lifetime.
    if (response.status !== 201) return [];
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = undefined;
    }
    const value = (body ?? {}) as Record<string, unknown>;
    const keys = Object.keys(value).sort().join(',');
    const ok =
      keys === 'expires_in,request_uri' &&
      typeof value.request_uri === 'string' &&
      value.request_uri.startsWith('urn:ietf:params:oauth:request_uri:') &&
      typeof value.expires_in === 'number' &&
      value.expires_in > 0;
    return ok ? [] : [{ failure: 'unexpected-status', detail: `201 with ${response.body.slice(0, 120)}` }];
  },
};
