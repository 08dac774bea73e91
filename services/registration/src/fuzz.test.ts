import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientRegistry } from '@psd2/client-registry-client';
import type { HttpResult, RunningSystem } from '@psd2/testing';
import { startSystem } from '@psd2/testing';
import fc from 'fast-check';
import { aispMetadata, allClientIds, JSON_HEADERS, manage, openRegistry } from './test-support.js';

/*
 * Random and malformed bodies and metadata thrown at the registration and configuration endpoints
 * through the edge. Whatever arrives, the answer is a success or a 4xx with a standard error body, never
 * a 5xx, and the registry afterwards holds exactly the clients a 201 announced: nothing half-written.
 */

const RUNS = 150;
const ORGANISATION = 'PSDFR-ACPR-12345';

let system: RunningSystem;
let registry: ClientRegistry;

beforeAll(async () => {
  system = await startSystem({
    label: 'registration-fuzz',
    env: { registration: { REGISTRATION_RATE_LIMIT: '100000', MAX_CLIENTS_PER_ORGANISATION: '100' } },
  });
  registry = openRegistry(system);
}, 60_000);

afterAll(async () => {
  registry?.close();
  await system?.stop();
});

const FIELDS = [
  'redirect_uris',
  'grant_types',
  'response_types',
  'token_endpoint_auth_method',
  'tls_client_auth_subject_dn',
  'scope',
  'client_name',
  'client_name#fr',
  'client_name#en',
  'contacts',
  'logo_uri',
  'client_uri',
  'policy_uri',
  'tos_uri',
  'jwks',
  'jwks_uri',
  'software_id',
  'software_version',
  'software_statement',
  'client_id',
  'client_secret',
  'registration_access_token',
] as const;

/** Values that are nearly right, which reach deeper rules than pure noise does. */
const plausibleValue = fc.oneof(
  fc.constantFrom(
    'aisp',
    'pisp',
    'cbpii',
    'aisp extended_transaction_history',
    'aisp pisp cbpii',
    'code',
    'tls_client_auth',
    'https://tpp.example.com/cb',
    'http://tpp.example.com/cb',
    'https://tpp.example.com/cb#f',
    'https://*.example.com/cb',
    '',
    ' ',
    '\u0000',
    'é',
  ),
  fc.constantFrom(
    ['authorization_code', 'refresh_token'],
    ['client_credentials'],
    ['authorization_code'],
    ['implicit'],
    ['code'],
    [],
    ['https://tpp.example.com/cb'],
    [''],
    [null],
  ),
  fc.constantFrom({ keys: [] }, { keys: [{ kty: 'EC' }] }, { keys: [{ kty: 'oct', k: 'x' }] }, { keys: 'x' }),
  fc.jsonValue({ maxDepth: 3 }),
);

const metadataObject = fc.dictionary(fc.constantFrom(...FIELDS), plausibleValue, { maxKeys: 10 });

/** A valid registration with a few fields replaced or removed: often accepted, sometimes not. */
const mutatedValid = fc
  .record({
    scope: fc.constantFrom('aisp', 'aisp extended_transaction_history', 'cbpii', 'pisp'),
    changes: fc.dictionary(fc.constantFrom(...FIELDS), fc.option(plausibleValue, { nil: undefined }), {
      maxKeys: 3,
    }),
  })
  .map(({ scope, changes }) => {
    const base = aispMetadata(
      scope === 'pisp'
        ? { scope, grant_types: ['client_credentials'], response_types: [], redirect_uris: undefined }
        : { scope },
    );
    return { ...base, ...changes };
  });

const bodyText = fc.oneof(
  { weight: 3, arbitrary: metadataObject.map((value) => JSON.stringify(value)) },
  { weight: 3, arbitrary: mutatedValid.map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: mutatedValid
      .map((value) => JSON.stringify(value))
      .chain((json) => fc.nat({ max: Math.max(0, json.length - 1) }).map((cut) => json.slice(0, cut))),
  },
);

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/jose',
    ),
  },
);

/** Only a success or a 4xx with an RFC 6749 §5.2 error body; never a 5xx. */
function expectStandardAnswer(response: HttpResult, success: number): void {
  if (response.status === success) return;
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  const body = response.json<Record<string, unknown>>();
  expect(typeof body.error).toBe('string');
  expect(typeof body.error_description).toBe('string');
  expect(String(body.error_description)).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/);
}

describe('fuzzing the registration endpoints', () => {
  it(`answers ${RUNS} random registrations with 201 or a standard 4xx, and stores only what it announced`, async () => {
    const announced = new Set<string>(await allClientIds(registry, ORGANISATION));
    const statuses = new Map<number, number>();
    const tpp = system.client('tpp-a');
    await fc.assert(
      fc.asyncProperty(bodyText, contentType, async (body, type) => {
        const response = await tpp('/oauth2/register', {
          method: 'POST',
          headers: { 'content-type': type },
          body,
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expectStandardAnswer(response, 201);
        if (response.status === 201) announced.add(response.json<{ client_id: string }>().client_id);
      }),
      { numRuns: RUNS },
    );
    expect(new Set(await allClientIds(registry, ORGANISATION))).toEqual(announced);
    // The generators reach both outcomes; a fuzz run that only ever fails parsing proves little.
    expect(statuses.get(201) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((status) => status >= 400).length).toBeGreaterThan(1);
  }, 120_000);

  it('answers random updates of one client with 200 or a standard 4xx, and rotates the token only on 200', async () => {
    const created = (
      await system.client('tpp-a')('/oauth2/register', {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify(aispMetadata()),
      })
    ).json<{ client_id: string; registration_access_token: string }>();
    let token = created.registration_access_token;
    let successes = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          metadataObject,
          mutatedValid.map((value) => ({ ...value, client_id: created.client_id })),
        ),
        async (body) => {
          const response = await manage(system, 'tpp-a', 'PUT', created.client_id, token, body);
          expectStandardAnswer(response, 200);
          if (response.status === 200) {
            successes += 1;
            token = response.json<{ registration_access_token: string }>().registration_access_token;
          }
          // Whatever happened, the client is still there and the current token still manages it.
          expect((await manage(system, 'tpp-a', 'GET', created.client_id, token)).status).toBe(200);
        },
      ),
      { numRuns: 60 },
    );
    expect(successes).toBeGreaterThan(0);
  }, 120_000);
});
