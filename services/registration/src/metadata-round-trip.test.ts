import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CLIENT_METADATA_FIELDS, memberName } from '@psd2/client-metadata';
import { type RunningSystem, startSystem } from '@psd2/testing';
import { aispMetadata, manage, openDatabase, qwacFacts, registerAccepted } from './test-support.js';

/*
 * One client's metadata through every layer: the TPP's JSON read by registration's schema, the gRPC
 * message to the registry, the jsonb document in PostgreSQL, and back out as RFC 7591 JSON.
 */

let system: RunningSystem;
let database: ReturnType<typeof openDatabase>;

beforeAll(async () => {
  system = await startSystem({ label: 'metadata_round_trip' });
  database = openDatabase(system);
}, 60_000);

afterAll(async () => {
  await database?.close();
  await system?.stop();
});

describe('client metadata round trip', () => {
  it('stores every member sent as one document and answers it back unchanged', async () => {
    const sent = aispMetadata({ tls_client_auth_subject_dn: qwacFacts(system, 'psp-ai').identity.subjectDn });
    const { clientId, registrationAccessToken: token } = await registerAccepted(system, 'psp-ai', sent);

    const stored = await database.storedMetadata(clientId);
    expect(stored).toEqual({
      redirectUris: sent.redirect_uris,
      grantTypes: sent.grant_types,
      responseTypes: sent.response_types,
      scope: sent.scope,
      tokenEndpointAuthMethod: 'tls_client_auth',
      tlsClientAuthSubjectDn: sent.tls_client_auth_subject_dn,
      clientName: sent.client_name,
      clientNameLocalized: { fr: sent['client_name#fr'], en: sent['client_name#en'] },
      contacts: sent.contacts,
      logoUri: sent.logo_uri,
      clientUri: sent.client_uri,
      policyUri: sent.policy_uri,
      tosUri: sent.tos_uri,
      jwks: sent.jwks,
      softwareId: sent.software_id,
      softwareVersion: sent.software_version,
    });

    const read = await manage(system, 'psp-ai', 'GET', clientId, token);
    expect(read.status).toBe(200);
    const answered = read.json<Record<string, unknown>>();
    for (const [member, value] of Object.entries(sent)) expect(answered[member]).toEqual(value);
    // Every schema field the document holds is answered under its RFC 7591 name.
    for (const field of CLIENT_METADATA_FIELDS.filter((name) => stored?.[name] !== undefined)) {
      if (field !== 'clientNameLocalized') expect(answered).toHaveProperty(memberName(field));
    }
  });
});
