import { describe, expect, it } from '@jest/globals';
import { expectErrorPage, REDIRECT, SANDBOX, sandboxSuite } from './sandbox.test-support.js';
import { locationParams } from './test-support.js';

/*
 * Every error branch of the authorization request in the sandbox, through the local edge: what must
 * be a page (the client or its redirect URI not trusted) and what goes back to the client.
 */

const suite = sandboxSuite('authz-sandbox-errors');

describe('requests that must never redirect: an error page for the PSU', () => {
  it('an unknown client_id', async () => {
    expectErrorPage(await suite.browser(`${SANDBOX}?${suite.valid({ client_id: 'no-such-client' })}`));
  });
  it('a missing client_id', async () => {
    expectErrorPage(await suite.browser(`${SANDBOX}?${suite.valid({ client_id: undefined })}`));
  });
  it('a deleted client', async () => {
    expectErrorPage(await suite.browser(`${SANDBOX}?${suite.valid({ client_id: suite.deleted.clientId })}`));
  });
  it('a redirect_uri that is not registered exactly', async () => {
    for (const uri of [
      'https://tpp.example/cb',
      'https://tpp.example/cb?tenant=1&x=2',
      'https://evil.example/cb?tenant=1',
      'HTTPS://tpp.example/cb?tenant=1',
    ]) {
      const result = await suite.browser(`${SANDBOX}?${suite.valid({ redirect_uri: uri })}`);
      expectErrorPage(result);
      expect(result.text).toContain('adresse de retour');
    }
  });
  it('a missing or repeated redirect_uri', async () => {
    expectErrorPage(await suite.browser(`${SANDBOX}?${suite.valid({ redirect_uri: undefined })}`));
    const twice = `${suite.valid()}&redirect_uri=${encodeURIComponent('https://tpp.example/other')}`;
    expectErrorPage(await suite.browser(`${SANDBOX}?${twice}`));
  });
});

describe('every other error redirects to the client with error, state and iss', () => {
  async function expectRedirectError(query: string, error: string, path = SANDBOX) {
    const result = await suite.browser(`${path}?${query}`);
    expect(result.status).toBe(302);
    const location = result.headers.get('location') ?? '';
    // The registered query is kept as registered, the response appended.
    expect(location.startsWith(`${REDIRECT}&`)).toBe(true);
    const params = locationParams(result);
    expect(params.get('tenant')).toBe('1');
    expect(params.get('error')).toBe(error);
    expect(params.get('error_description')).toBeTruthy();
    expect(params.get('iss')).toBe(suite.system.edgeUrl);
    return params;
  }

  it('invalid_request: response_type missing, state echoed untouched', async () => {
    const params = await expectRedirectError(suite.valid({ response_type: undefined }), 'invalid_request');
    expect(params.get('state')).toBe('st-ä/&=1');
    expect(params.get('code')).toBeNull();
  });
  it('unsupported_response_type', async () => {
    await expectRedirectError(suite.valid({ response_type: 'token' }), 'unsupported_response_type');
  });
  it('unauthorized_client: a client not registered for authorization codes', async () => {
    const query = suite.valid({ client_id: suite.paymentsOnly.clientId, scope: 'pisp' });
    const result = await suite.browser(
      `${SANDBOX}?${query.replace(encodeURIComponent(REDIRECT), encodeURIComponent(REDIRECT))}`,
    );
    // This client has its own redirect URI, the same string: registered exactly.
    expect(result.status).toBe(302);
    expect(locationParams(result).get('error')).toBe('unauthorized_client');
  });
  it('invalid_scope: unregistered, unknown, empty', async () => {
    await expectRedirectError(suite.valid({ scope: 'cbpii' }), 'invalid_scope');
    await expectRedirectError(suite.valid({ scope: 'aisp accounts' }), 'invalid_scope');
    await expectRedirectError(suite.valid({ scope: undefined }), 'invalid_scope');
    await expectRedirectError(suite.valid({ scope: 'extended_transaction_history' }), 'invalid_scope');
  });
  it('pisp without a payment (pushed, or the payment API’s): invalid_request', async () => {
    const result = await suite.browser(
      `${SANDBOX}?${suite.valid({ client_id: suite.mixed.clientId, scope: 'pisp' })}`,
    );
    expect(locationParams(result).get('error')).toBe('invalid_request');
    expect(locationParams(result).get('error_description')).toContain('pisp');
  });
  it('PKCE refused: missing, plain, method missing, malformed', async () => {
    await expectRedirectError(
      suite.valid({ code_challenge: undefined, code_challenge_method: undefined }),
      'invalid_request',
    );
    await expectRedirectError(suite.valid({ code_challenge_method: 'plain' }), 'invalid_request');
    await expectRedirectError(suite.valid({ code_challenge_method: undefined }), 'invalid_request');
    await expectRedirectError(suite.valid({ code_challenge: 'short' }), 'invalid_request');
  });
  it('a repeated parameter is invalid_request; a repeated state is not echoed', async () => {
    await expectRedirectError(`${suite.valid()}&scope=aisp`, 'invalid_request');
    const params = await expectRedirectError(`${suite.valid()}&state=other`, 'invalid_request');
    expect(params.get('state')).toBeNull();
  });
  it('the bank page (also served in sandbox mode) answers errors the same way', async () => {
    await expectRedirectError(
      suite.valid({ scope: 'cbpii' }),
      'invalid_scope',
      '/oauth2/en/banque/oauth2_authorization.aspx',
    );
  });
});
