import { describe, expect, it } from '@jest/globals';
import { InvalidClientMetadataError } from '@psd2/oauth-errors';
import { validateClientMetadata } from './metadata.js';
import { context, SUBJECT } from './metadata.test-support.js';

/* RFC 7591 client metadata, the whole request. */

describe('validateClientMetadata', () => {
  const aisp = {
    redirect_uris: ['https://app.example.com/cb'],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'aisp',
  };

  it('fills in the defaults', () => {
    expect(validateClientMetadata(aisp, context)).toEqual({
      redirectUris: ['https://app.example.com/cb'],
      grantTypes: ['authorization_code', 'refresh_token'],
      responseTypes: ['code'],
      scope: 'aisp',
      tokenEndpointAuthMethod: 'tls_client_auth',
      tlsClientAuthSubjectDn: SUBJECT,
      clientName: undefined,
      clientNameLocalized: undefined,
      contacts: undefined,
      logoUri: undefined,
      clientUri: undefined,
      policyUri: undefined,
      tosUri: undefined,
      jwks: undefined,
      jwksUri: undefined,
      softwareId: undefined,
      softwareVersion: undefined,
    });
  });

  it('takes a pisp client with client_credentials only', () => {
    const metadata = validateClientMetadata({ grant_types: ['client_credentials'], scope: 'pisp' }, context);
    expect(metadata).toMatchObject({
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
    });
  });

  it('takes a pisp code client with redirect URIs, and the RFC 7591 default grant', () => {
    const uris = ['https://pisp.example.com/cb'];
    for (const body of [
      { grant_types: ['authorization_code'], scope: 'pisp', redirect_uris: uris },
      { scope: 'pisp', redirect_uris: uris },
    ]) {
      expect(validateClientMetadata(body, context)).toMatchObject({
        grantTypes: ['authorization_code'],
        responseTypes: ['code'],
        redirectUris: uris,
      });
    }
  });

  it('refuses refresh_token for a pisp-only client, not for aisp with pisp', () => {
    const uris = ['https://pisp.example.com/cb'];
    const grants = ['authorization_code', 'refresh_token'];
    expect(() =>
      validateClientMetadata({ grant_types: grants, scope: 'pisp', redirect_uris: uris }, context),
    ).toThrow(InvalidClientMetadataError);
    expect(
      validateClientMetadata({ grant_types: grants, scope: 'aisp pisp', redirect_uris: uris }, context),
    ).toMatchObject({ grantTypes: grants, scope: 'aisp pisp' });
  });

  it('ignores metadata it does not understand (RFC 7591 §2)', () => {
    expect(() => validateClientMetadata({ ...aisp, frobnicate: 1, 'logo_uri#fr': 2 }, context)).not.toThrow();
  });

  it('checks the update fields only on update', () => {
    const update = { ...context, update: { clientId: 'abc', currentSubjectDn: SUBJECT } };
    expect(() => validateClientMetadata(aisp, update)).toThrow(InvalidClientMetadataError);
    expect(() => validateClientMetadata({ ...aisp, client_id: 'abc' }, update)).not.toThrow();
  });
});
