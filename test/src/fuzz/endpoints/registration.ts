import fc from 'fast-check';
import {
  anyText,
  bodyEncoding,
  brokenJsonText,
  contentType,
  deepJsonText,
  deepJsonValue,
  jsonValue,
  oversize,
} from '../hostile.js';
import { REDIRECT_URI } from '../live-state.js';
import { type Body, live } from '../request.js';
import {
  certificate,
  extraHeaders,
  type FuzzEndpoint,
  hostileValue,
  method,
  mostly,
  type RequestParts,
  request,
  segment,
  subjectOf,
} from './common.js';

/*
 * RFC 7591 registration and RFC 7592 management. Metadata starts valid for the certificate's roles
 * and has members replaced, removed, nested or duplicated, so the validator's every rule is reached;
 * management requests name a live client with its registration access token, or another's.
 */

/** Members with values valid for an AISP client (the usual certificates hold PSP_AI). */
const VALID_MEMBERS: Record<string, fc.Arbitrary<unknown>> = {
  redirect_uris: fc.constantFrom([REDIRECT_URI], [REDIRECT_URI, 'https://tpp.example/other']),
  grant_types: fc.constantFrom(['authorization_code', 'refresh_token'], ['authorization_code']),
  response_types: fc.constant(['code']),
  token_endpoint_auth_method: fc.constant('tls_client_auth'),
  scope: fc.constantFrom('aisp', 'aisp extended_transaction_history'),
  client_name: fc.oneof(fc.constant('Fuzz app'), anyText),
  'client_name#fr': anyText,
  contacts: fc.constant(['ops@tpp.example']),
  logo_uri: fc.constant('https://tpp.example/logo.png'),
  client_uri: fc.constant('https://tpp.example'),
  jwks: fc.constant({
    keys: [
      {
        kty: 'EC',
        crv: 'P-256',
        x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
        y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        use: 'sig',
        kid: 'k1',
      },
    ],
  }),
  software_id: fc.uuid(),
  software_version: fc.constant('1.0'),
};

/** Values that are nearly right for a member: a rule of the validator each. */
const NEARLY_VALID: Record<string, fc.Arbitrary<unknown>> = {
  redirect_uris: fc.array(
    fc.constantFrom(
      'http://tpp.example/cb',
      'https://tpp.example/cb#frag',
      'javascript:alert(1)',
      'https://[::1',
      'https://tpp.example/cb?x=1',
    ),
    { maxLength: 4 },
  ),
  grant_types: fc.constantFrom(['client_credentials'], ['implicit'], [], ['refresh_token']),
  response_types: fc.constantFrom([], ['token'], ['code', 'code']),
  token_endpoint_auth_method: fc.constantFrom('self_signed_tls_client_auth', 'none', 'client_secret_basic'),
  scope: fc.constantFrom('cbpii', 'pisp', 'aisp pisp cbpii', '', 'openid'),
  contacts: fc.array(fc.constantFrom('not-an-email', ''), { maxLength: 3 }),
  logo_uri: fc.constantFrom('data:image/png;base64,AA==', 'ftp://x', 'http://tpp.example/logo.png'),
  client_uri: fc.constantFrom('https://', 'tpp.example'),
  jwks: fc.oneof(
    fc.record({
      keys: fc.array(
        fc.dictionary(fc.constantFrom('kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'use', 'x5c', 'd'), jsonValue),
        { maxLength: 3 },
      ),
    }),
    deepJsonValue.map((deep) => ({ keys: [deep] })),
    deepJsonValue,
  ),
  jwks_uri: fc.constantFrom('https://tpp.example/jwks.json', 'http://127.0.0.1/'),
  software_statement: fc.constantFrom('eyJhbGciOiJub25lIn0.e30.', 'not.a.jwt'),
  tls_client_auth_subject_dn: fc.constantFrom('CN=x', '', 'CN=\u0000'),
};

/** A member's value: usually valid, otherwise nearly valid, any JSON value, hostile, huge or deep. */
const memberValue = (name: string): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 40, arbitrary: VALID_MEMBERS[name] ?? anyText },
    { weight: 2, arbitrary: NEARLY_VALID[name] ?? anyText },
    { weight: 1, arbitrary: jsonValue },
    { weight: 1, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.oneof(oversize, deepJsonValue) },
  );

const MEMBER_NAMES = Object.keys(VALID_MEMBERS);

/** Members a valid AISP registration leaves out; sent now and then with a value of their own. */
const rareMember = fc
  .constantFrom('jwks_uri', 'software_statement', 'tls_client_auth_subject_dn')
  .chain((name) => (NEARLY_VALID[name] ?? anyText).map((value) => ({ [name]: value })));

const metadata = fc
  .record(Object.fromEntries(MEMBER_NAMES.map((name) => [name, memberValue(name)])), {
    requiredKeys: ['redirect_uris', 'grant_types', 'scope', 'token_endpoint_auth_method'],
  })
  .chain((members) =>
    fc
      .option(
        fc.oneof(
          rareMember,
          fc.dictionary(
            fc.oneof(anyText, fc.constantFrom('__proto__', 'constructor', 'client_id', 'client_secret')),
            jsonValue,
            { minKeys: 1, maxKeys: 2 },
          ),
        ),
        { freq: 4, nil: {} },
      )
      .map((extra) => ({ ...extra, ...members })),
  );

/** A body for POST and PUT: JSON metadata mostly, or broken, deep or non-JSON text. */
const metadataBody = (withClientId: boolean): fc.Arbitrary<{ body: Body; type: string }> =>
  fc.oneof(
    {
      weight: 12,
      arbitrary: metadata.map((m) => ({
        body: { kind: 'json', value: withClientId ? { client_id: live('clientId'), ...m } : m } as Body,
        type: 'application/json',
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(metadata, contentType)
        .map(([m, type]) => ({ body: { kind: 'json', value: m } as Body, type })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          brokenJsonText,
          deepJsonText,
          deepJsonText.map((t) => `{"redirect_uris":["${REDIRECT_URI}"],"jwks":${t}}`),
        )
        .map((text) => ({ body: { kind: 'text', text } as Body, type: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(anyText, contentType)
        .map(([text, type]) => ({ body: { kind: 'text', text } as Body, type })),
    },
  );

export const registerEndpoint: FuzzEndpoint = {
  name: 'register',
  pools: {},
  requests: fc
    .record({
      body: metadataBody(false),
      method: method('POST'),
      certificate: fc.oneof(
        {
          weight: 5,
          arbitrary: fc.constantFrom(
            'tpp-a' as const,
            'tpp-b' as const,
            'psp-pi' as const,
            'psp-ic' as const,
          ),
        },
        { weight: 2, arbitrary: certificate },
      ),
      extra: extraHeaders,
      bodyEncoding,
      path: fc.oneof(
        { weight: 10, arbitrary: fc.constant('/oauth2/register') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '/oauth2/register/',
            '/oauth2/register?x',
            '/oauth2//register',
            '/oauth2/REGISTER',
          ),
        },
      ),
    })
    .map((parts) => request({ ...parts, subject: { kind: 'none' } })),
};

const bearer = fc.oneof(
  { weight: 8, arbitrary: fc.constant(`Bearer ${live('registrationAccessToken')}`) },
  { weight: 1, arbitrary: hostileValue.map((v) => `Bearer ${v}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      'Bearer',
      `bearer ${live('registrationAccessToken')}`,
      `Basic ${live('registrationAccessToken')}`,
    ),
  },
);

/** A management request: the live client's URL and token, or junk in either place. */
const management = (verb: 'GET' | 'PUT' | 'DELETE') =>
  fc
    .record({
      id: segment(fc.constant(live('clientId'))),
      authorization: bearer,
      method: method(verb),
      certificate,
      extra: extraHeaders,
      bodyEncoding,
      subject: subjectOf('managed'),
      body: verb === 'PUT' ? metadataBody(true) : fc.constant(undefined),
    })
    .map(
      ({ id, authorization, body, ...rest }): RequestParts => ({
        ...rest,
        path: `/oauth2/register/${id}`,
        headers: authorization === '' ? [] : [['authorization', authorization]],
        ...(body === undefined ? {} : { body }),
      }),
    )
    .map(request);

export const manageGetEndpoint: FuzzEndpoint = {
  name: 'register-get',
  pools: { managed: 4 },
  requests: management('GET'),
};

export const managePutEndpoint: FuzzEndpoint = {
  name: 'register-put',
  pools: { managed: 4 },
  requests: management('PUT'),
};

export const manageDeleteEndpoint: FuzzEndpoint = {
  name: 'register-delete',
  pools: { managed: 6 },
  requests: management('DELETE'),
};

export { mostly };
