import fc from 'fast-check';
import { bodyEncoding } from '../hostile.js';
import { live } from '../request.js';
import {
  certificate,
  extraHeaders,
  type FuzzEndpoint,
  formBody,
  method,
  mostly,
  params,
  request,
  subjectOf,
} from './common.js';

/*
 * The TPP's back-channel endpoints: token (every grant type, RFC 6749 §4.1.3, §4.4, §6; RFC 7636;
 * RFC 8705), revocation (RFC 7009) and introspection (RFC 7662). Live codes, verifiers and tokens of
 * the right client get requests past client authentication into the grant logic.
 */

const scopes = fc.constantFrom(
  'aisp',
  'cbpii',
  'pisp',
  'aisp extended_transaction_history',
  'aisp  pisp',
  'openid',
);

const authorizationCode = fc.record({
  subject: subjectOf('consent'),
  pairs: params([
    ['grant_type', fc.constant('authorization_code')],
    ['code', fc.constant(live('code'))],
    [
      'redirect_uri',
      fc.oneof(
        { weight: 5, arbitrary: fc.constant(live('redirectUri')) },
        { weight: 1, arbitrary: fc.constant('https://tpp.example/cb/') },
      ),
    ],
    [
      'code_verifier',
      fc.oneof(
        { weight: 5, arbitrary: fc.constant(live('verifier')) },
        { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~-]{43,128}$/) },
      ),
    ],
    ['client_id', fc.constant(live('clientId'))],
  ]),
});

const refreshToken = fc.record({
  subject: subjectOf('tokens'),
  pairs: params([
    ['grant_type', fc.constant('refresh_token')],
    ['refresh_token', fc.constant(live('refreshToken'))],
    ['client_id', fc.constant(live('clientId'))],
    [
      'scope',
      fc.oneof({ weight: 3, arbitrary: fc.constant(live('scope')) }, { weight: 1, arbitrary: scopes }),
    ],
  ]),
});

const clientCredentials = fc.record({
  subject: subjectOf('client'),
  pairs: params([
    ['grant_type', fc.constant('client_credentials')],
    ['client_id', fc.constant(live('clientId'))],
    ['scope', fc.oneof({ weight: 3, arbitrary: fc.constant('pisp') }, { weight: 1, arbitrary: scopes })],
  ]),
});

const otherGrant = fc.record({
  subject: subjectOf('client'),
  pairs: params([
    [
      'grant_type',
      mostly(
        fc.constantFrom(
          'password',
          'implicit',
          'urn:ietf:params:oauth:grant-type:jwt-bearer',
          'AUTHORIZATION_CODE',
          'urn:ietf:params:oauth:grant-type:device_code',
        ),
        2,
      ),
    ],
    ['client_id', fc.constant(live('clientId'))],
  ]),
});

const grantRequest = fc.oneof(
  { weight: 3, arbitrary: authorizationCode },
  { weight: 3, arbitrary: refreshToken },
  { weight: 2, arbitrary: clientCredentials },
  { weight: 1, arbitrary: otherGrant },
);

export const tokenEndpoint: FuzzEndpoint = {
  name: 'token',
  pools: { consents: 12, tokens: 6 },
  requests: fc
    .record({
      grant: grantRequest,
      method: method('POST'),
      certificate,
      extra: extraHeaders,
      bodyEncoding,
    })
    .chain(({ grant, ...rest }) =>
      formBody(fc.constant(grant.pairs)).map((body) =>
        request({ ...rest, path: '/oauth2/token', body, subject: grant.subject }),
      ),
    ),
};

const tokenHint = mostly(
  fc.constantFrom('access_token', 'refresh_token', 'authorization_code', 'ACCESS_TOKEN'),
  3,
);
const someToken = fc.oneof(
  { weight: 3, arbitrary: fc.constant(live('accessToken')) },
  { weight: 3, arbitrary: fc.constant(live('refreshToken')) },
  { weight: 1, arbitrary: fc.constant(live('code')) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
);

export const revocationEndpoint: FuzzEndpoint = {
  name: 'revoke',
  pools: { tokens: 6 },
  requests: fc
    .record({
      pairs: params([
        ['token', someToken],
        ['token_type_hint', tokenHint],
        ['client_id', fc.constant(live('clientId'))],
      ]),
      subject: fc.oneof(subjectOf('tokens'), subjectOf('client')),
      method: method('POST'),
      certificate,
      extra: extraHeaders,
      bodyEncoding,
    })
    .chain(({ pairs, ...rest }) =>
      formBody(fc.constant(pairs)).map((body) => request({ ...rest, path: '/oauth2/revoke', body })),
    ),
};

/** The bank's API introspects with its PSP_AS certificate; others should be refused, never crash it. */
const introspector = fc.oneof(
  { weight: 4, arbitrary: fc.constant('psp-as' as const) },
  { weight: 2, arbitrary: certificate },
);

export const introspectionEndpoint: FuzzEndpoint = {
  name: 'introspect',
  pools: { tokens: 6 },
  requests: fc
    .record({
      pairs: params([
        ['token', someToken],
        ['token_type_hint', tokenHint],
      ]),
      subject: subjectOf('tokens'),
      method: method('POST'),
      certificate: introspector,
      extra: extraHeaders,
      bodyEncoding,
    })
    .chain(({ pairs, ...rest }) =>
      formBody(fc.constant(pairs)).map((body) => request({ ...rest, path: '/oauth2/introspect', body })),
    ),
};
