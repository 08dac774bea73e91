import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { ClientMetadata as ClientMetadataMessage } from '@psd2/client-registry-proto';
import { describeIssues } from './issues.js';
import { metadataFromMessage, metadataToMessage } from './proto.js';
import { fromRfc7591Members, toRfc7591Members } from './rfc7591.js';
import { isClientId } from './rules.js';
import { CLIENT_METADATA_FIELDS, type ClientMetadata, clientMetadataSchema } from './schema.js';

const complete: ClientMetadata = {
  redirectUris: ['https://app.example.com/cb'],
  grantTypes: ['authorization_code', 'refresh_token'],
  responseTypes: ['code'],
  scope: 'aisp',
  tokenEndpointAuthMethod: 'tls_client_auth',
  tlsClientAuthSubjectDn: 'CN=app.example.com,C=FR',
  clientName: 'Budget',
  clientNameLocalized: { fr: 'Budget FR', 'en-GB': 'Budget GB' },
  contacts: ['ops@example.com'],
  logoUri: 'https://app.example.com/logo.png',
  clientUri: 'https://app.example.com/',
  policyUri: 'https://app.example.com/privacy',
  tosUri: 'https://app.example.com/terms',
  jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
  softwareId: 'budget',
  softwareVersion: '1.0',
};

function problem(metadata: Record<string, unknown>) {
  const parsed = clientMetadataSchema.safeParse({ ...complete, ...metadata });
  if (parsed.success) throw new Error('expected a refusal');
  return describeIssues(parsed.error);
}

describe('the client metadata schema', () => {
  it('holds every field the sample sets, so the round trips below cover them all', () => {
    // jwks_uri is the one field left out: it never goes with jwks (RFC 7591 §2).
    const fields = CLIENT_METADATA_FIELDS.filter((field) => field !== 'jwksUri');
    expect(Object.keys(complete).sort()).toEqual(fields.sort());
    expect(clientMetadataSchema.parse(complete)).toEqual(complete);
  });

  it.each([
    [{ clientName: 42 }, 'invalid_client_metadata', 'client_name must be a string.'],
    [{ contacts: ['a@x', 'a@x'] }, 'invalid_client_metadata', 'contacts lists "a@x" twice.'],
    [
      { logoUri: 'http://x.example/l.png' },
      'invalid_client_metadata',
      'logo_uri must be an absolute https URL.',
    ],
    [{ clientNameLocalized: { 'f r': 'x' } }, 'invalid_client_metadata', 'client_name#f r: "f r" is not'],
    [{ clientNameLocalized: { fr: ' ' } }, 'invalid_client_metadata', 'client_name#fr must not be empty.'],
    [{ jwksUri: 'https://x.example/jwks' }, 'invalid_client_metadata', 'jwks and jwks_uri'],
    [
      { jwks: { keys: [{ kty: 'RSA', d: 'private' }] } },
      'invalid_client_metadata',
      'jwks must contain public',
    ],
    [{ redirectUris: ['https://x.example/cb#f'] }, 'invalid_redirect_uri', 'must not have a fragment'],
    [{ redirectUris: ['http://x.example/cb'] }, 'invalid_redirect_uri', 'must use https'],
  ])('refuses %j in RFC 7591 words', (metadata, error, description) => {
    expect(problem(metadata)).toMatchObject({ error, description: expect.stringContaining(description) });
  });
});

describe('the protobuf mapping', () => {
  it('round-trips every field through the binary message', () => {
    const bytes = ClientMetadataMessage.encode(metadataToMessage(complete)).finish();
    expect(metadataFromMessage(ClientMetadataMessage.decode(bytes))).toEqual(complete);
  });

  it('carries jwks as JSON text and leaves absent fields unset', () => {
    const minimal = { redirectUris: [], grantTypes: ['client_credentials'], responseTypes: [] };
    const message = metadataToMessage({ ...minimal, jwks: complete.jwks });
    expect(message.jwks).toBe(JSON.stringify(complete.jwks));
    expect(message.scope).toBeUndefined();
    expect(metadataFromMessage(metadataToMessage(minimal))).toEqual({
      ...minimal,
      contacts: [],
      clientNameLocalized: {},
    });
  });
});

describe('the RFC 7591 mapping', () => {
  it('names members in snake_case and localised names as client_name#<tag>', () => {
    const members = toRfc7591Members(complete);
    expect(members).toMatchObject({ redirect_uris: complete.redirectUris, tos_uri: complete.tosUri });
    expect(members['client_name#en-GB']).toBe('Budget GB');
    expect(members).not.toHaveProperty('client_name_localized');
    expect(clientMetadataSchema.parse(fromRfc7591Members(members))).toEqual(complete);
  });

  it('leaves out optional fields that hold nothing, and keeps required lists even when empty', () => {
    const members = toRfc7591Members({
      redirectUris: [],
      grantTypes: ['client_credentials'],
      responseTypes: [],
      contacts: [],
    });
    expect(members).toEqual({ redirect_uris: [], grant_types: ['client_credentials'], response_types: [] });
  });

  it('treats null as absent and ignores members it does not know', () => {
    expect(fromRfc7591Members({ client_name: null, frobnicate: 1, scope: 'aisp' })).toEqual({
      scope: 'aisp',
    });
  });
});

describe('the client id rule', () => {
  it('accepts what the registry generates and refuses anything far off', () => {
    expect(isClientId(randomBytes(16).toString('base64url'))).toBe(true);
    for (const id of ['', 'a.b', 'a/b', 'bQ==', 'x'.repeat(65), 'a\u0000b'])
      expect(isClientId(id)).toBe(false);
  });
});
