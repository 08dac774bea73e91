import { describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  InsufficientScopeError,
  InvalidAuthorizationDetailsError,
  InvalidClientError,
  InvalidClientMetadataError,
  InvalidGrantError,
  InvalidRedirectUriError,
  InvalidRequestError,
  InvalidRequestUriError,
  InvalidScopeError,
  InvalidSoftwareStatementError,
  InvalidTokenError,
  OAUTH_ERROR_CODES,
  type OAuthError,
  ServerError,
  TemporarilyUnavailableError,
  UnapprovedSoftwareStatementError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
  UnsupportedResponseTypeError,
  UnsupportedTokenTypeError,
} from './errors.js';
import { oauthErrorRedirectParams, serializeOAuthError } from './serialize.js';

const every: Array<[OAuthError, string, number]> = [
  [new InvalidRequestError(), 'invalid_request', 400],
  [new InvalidClientError(), 'invalid_client', 401],
  [new InvalidGrantError(), 'invalid_grant', 400],
  [new UnauthorizedClientError(), 'unauthorized_client', 400],
  [new UnsupportedGrantTypeError(), 'unsupported_grant_type', 400],
  [new UnsupportedResponseTypeError(), 'unsupported_response_type', 400],
  [new InvalidScopeError(), 'invalid_scope', 400],
  [new AccessDeniedError(), 'access_denied', 403],
  [new ServerError(), 'server_error', 500],
  [new TemporarilyUnavailableError(), 'temporarily_unavailable', 503],
  [new InvalidTokenError(), 'invalid_token', 401],
  [new InsufficientScopeError(), 'insufficient_scope', 403],
  [new UnsupportedTokenTypeError(), 'unsupported_token_type', 400],
  [new InvalidRedirectUriError(), 'invalid_redirect_uri', 400],
  [new InvalidClientMetadataError(), 'invalid_client_metadata', 400],
  [new InvalidSoftwareStatementError(), 'invalid_software_statement', 400],
  [new UnapprovedSoftwareStatementError(), 'unapproved_software_statement', 400],
  [new InvalidAuthorizationDetailsError(), 'invalid_authorization_details', 400],
  [new InvalidRequestUriError(), 'invalid_request_uri', 400],
];

describe('OAuth error classes', () => {
  it('cover every standard code exactly once', () => {
    expect(every.map(([error]) => error.code).sort()).toEqual([...OAUTH_ERROR_CODES].sort());
  });

  it.each(every)('%p carries code %s and status %i', (error, code, status) => {
    const response = serializeOAuthError(error);
    expect(response.status).toBe(status);
    expect(response.body.error).toBe(code);
    expect(response.body.error_description.length).toBeGreaterThan(0);
    expect(response.headers['Cache-Control']).toBe('no-store');
  });
});

describe('serializeOAuthError', () => {
  it('keeps the specific cause out of the response and in the log', () => {
    const response = serializeOAuthError(
      new InvalidClientError({ detail: 'certificate organisation PSDFR-ACPR-1 does not own client abc' }),
    );
    expect(JSON.stringify(response.body)).not.toContain('PSDFR-ACPR-1');
    expect(response.log.detail).toContain('PSDFR-ACPR-1');
  });

  it('lets a caller give a public description and another status', () => {
    const response = serializeOAuthError(
      new InvalidRequestError({ description: 'No such endpoint.', status: 404 }),
    );
    expect(response).toMatchObject({
      status: 404,
      body: { error: 'invalid_request', error_description: 'No such endpoint.' },
    });
  });

  it('turns an unexpected exception into server_error with no message or stack', () => {
    const response = serializeOAuthError(
      new TypeError('Cannot read properties of undefined (reading "x") at /srv/app.js:1'),
    );
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      error: 'server_error',
      error_description: 'The server encountered an unexpected condition.',
    });
    expect(response.log.detail).toContain('TypeError');
  });

  it('handles thrown non-errors', () => {
    expect(serializeOAuthError('boom').body.error).toBe('server_error');
  });

  it('adds the RFC 6750 challenge to invalid_token', () => {
    const response = serializeOAuthError(new InvalidTokenError());
    expect(response.headers['WWW-Authenticate']).toMatch(/^Bearer error="invalid_token"/);
  });

  it('gives the redirect parameters of an authorization error', () => {
    expect(oauthErrorRedirectParams(new AccessDeniedError())).toEqual({
      error: 'access_denied',
      error_description: 'The resource owner or the server denied the request.',
    });
  });
});

describe('safeDescription (RFC 6749 §5.2 character set)', () => {
  it('maps quotes, backslashes and accents onto the allowed characters', () => {
    const response = serializeOAuthError(
      new InvalidScopeError({ description: 'The scope "aisp" is not granted \\ référence café.' }),
    );
    expect(response.body.error_description).toBe("The scope 'aisp' is not granted / reference cafe.");
    expect(response.body.error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/);
  });
});
