import { describe, expect, it } from '@jest/globals';
import { authorizationServerMetadata } from './metadata.js';

/* RFC 8414 metadata as built from the settings; served through the edge in token.test.ts. */

const ISSUER = 'https://as.example';

describe('authorization server metadata', () => {
  it('names the PAR endpoint (RFC 9126 §5), also as an mTLS alias, and the one RAR type (RFC 9396 §10)', () => {
    const metadata = authorizationServerMetadata({
      issuer: ISSUER,
      deploymentMode: 'bank',
      pushedAuthorizationRequired: true,
    });
    expect(metadata).toMatchObject({
      pushed_authorization_request_endpoint: `${ISSUER}/oauth2/par`,
      require_pushed_authorization_requests: true,
      authorization_details_types_supported: ['payment_initiation'],
      mtls_endpoint_aliases: { pushed_authorization_request_endpoint: `${ISSUER}/oauth2/par` },
    });
  });

  it('says whether the pages take only pushed requests, as PAR_REQUIRED decides', () => {
    for (const required of [true, false]) {
      expect(
        authorizationServerMetadata({
          issuer: ISSUER,
          deploymentMode: 'sandbox',
          pushedAuthorizationRequired: required,
        }).require_pushed_authorization_requests,
      ).toBe(required);
    }
  });

  it('names no introspection endpoint unless INTROSPECTION_ENDPOINT says where the internal listener is', () => {
    const settings = { issuer: ISSUER, deploymentMode: 'bank', pushedAuthorizationRequired: true } as const;
    const without = authorizationServerMetadata(settings);
    expect(JSON.stringify(without)).not.toContain('introspect');
    const internal = 'https://edge-internal.psd2.svc:8444/oauth2/introspect';
    expect(authorizationServerMetadata({ ...settings, introspectionEndpoint: internal })).toMatchObject({
      introspection_endpoint: internal,
      introspection_endpoint_auth_methods_supported: ['tls_client_auth'],
      mtls_endpoint_aliases: { introspection_endpoint: internal },
    });
  });
});
