import { describe, expect, it } from '@jest/globals';
import {
  checkScopes,
  formatScope,
  grantTypesForScopes,
  grantTypesProblem,
  parseScope,
  scopesAllowedByRoles,
  scopesForRefresh,
} from './scopes.js';

describe('parseScope / formatScope', () => {
  it('splits on spaces, drops duplicates and empty tokens, and orders canonically', () => {
    expect(parseScope('extended_transaction_history  aisp aisp')).toEqual([
      'aisp',
      'extended_transaction_history',
    ]);
    expect(formatScope(['cbpii', 'aisp'])).toBe('aisp cbpii');
    expect(parseScope(undefined)).toEqual([]);
  });

  it('refuses characters RFC 6749 §3.3 does not allow', () => {
    expect(parseScope('aisp "quoted"')).toBeUndefined();
    expect(parseScope('ais\\p')).toBeUndefined();
    expect(parseScope('aisp\tcbpii')).toBeUndefined();
  });
});

describe('role and grant rules', () => {
  it('derives scopes from certificate roles', () => {
    expect(scopesAllowedByRoles(['PSP_AI'])).toEqual(['aisp', 'extended_transaction_history']);
    expect(scopesAllowedByRoles(['PSP_PI', 'PSP_IC'])).toEqual(['cbpii', 'pisp']);
    expect(scopesAllowedByRoles(['PSP_AS'])).toEqual([]);
  });

  it('lists the grant types that may issue each scope: never refresh_token for pisp', () => {
    expect(grantTypesForScopes(['aisp'])).toEqual(['authorization_code', 'refresh_token']);
    expect(grantTypesForScopes(['pisp'])).toEqual(['client_credentials', 'authorization_code']);
    expect(grantTypesForScopes(['pisp', 'cbpii'])).toEqual([
      'client_credentials',
      'authorization_code',
      'refresh_token',
    ]);
  });

  it('never carries extended_transaction_history or pisp into a refreshed token', () => {
    expect(scopesForRefresh(['aisp', 'extended_transaction_history'])).toEqual(['aisp']);
    expect(scopesForRefresh(['aisp', 'pisp'])).toEqual(['aisp']);
    expect(scopesForRefresh(['pisp'])).toEqual([]);
  });
});

describe('grantTypesProblem (registered grant_types against the scope)', () => {
  it.each([
    [['pisp'], ['client_credentials']],
    [['pisp'], ['authorization_code']],
    [['pisp'], ['authorization_code', 'client_credentials']],
    [['aisp'], ['authorization_code', 'refresh_token']],
    [
      ['aisp', 'pisp'],
      ['authorization_code', 'refresh_token'],
    ],
    [
      ['aisp', 'pisp'],
      ['authorization_code', 'refresh_token', 'client_credentials'],
    ],
  ] as const)('accepts %p with %p', (scopes, grants) => {
    expect(grantTypesProblem(scopes, grants)).toBeUndefined();
  });

  it.each([
    [['pisp'], ['refresh_token'], 'client_credentials or authorization_code'],
    [['pisp'], ['authorization_code', 'refresh_token'], 'must not include refresh_token'],
    [['pisp'], ['client_credentials', 'refresh_token'], 'must not include refresh_token'],
    [['aisp'], ['authorization_code'], 'must include refresh_token'],
    [['cbpii'], ['refresh_token'], 'must include authorization_code'],
    [
      ['aisp'],
      ['authorization_code', 'refresh_token', 'client_credentials'],
      'must not include client_credentials',
    ],
  ] as const)('refuses %p with %p (%s)', (scopes, grants, message) => {
    expect(grantTypesProblem(scopes, grants)).toContain(message);
  });
});

describe('checkScopes', () => {
  it('accepts what roles, registration and grant all allow', () => {
    expect(
      checkScopes({
        requested: ['extended_transaction_history', 'aisp'],
        roles: ['PSP_AI'],
        grantType: 'authorization_code',
        registered: ['aisp', 'extended_transaction_history'],
      }),
    ).toEqual({ ok: true, scopes: ['aisp', 'extended_transaction_history'] });
    for (const grantType of ['client_credentials', 'authorization_code'] as const)
      expect(checkScopes({ requested: ['pisp'], roles: ['PSP_PI'], grantType }).ok).toBe(true);
  });

  it.each([
    [{ requested: [], roles: ['PSP_AI'] }, 'empty'],
    [{ requested: ['openid'], roles: ['PSP_AI'] }, 'unknown_scope'],
    [{ requested: ['cbpii'], roles: ['PSP_AI', 'PSP_IC'], registered: ['aisp'] }, 'not_registered'],
    [{ requested: ['aisp'], roles: ['PSP_PI'] }, 'role_forbids'],
    [{ requested: ['pisp'], roles: ['PSP_PI'], grantType: 'refresh_token' }, 'grant_forbids'],
    [
      { requested: ['aisp', 'pisp'], roles: ['PSP_AI', 'PSP_PI'], grantType: 'refresh_token' },
      'grant_forbids',
    ],
    [{ requested: ['aisp'], roles: ['PSP_AI'], grantType: 'client_credentials' }, 'grant_forbids'],
    [
      { requested: ['aisp', 'extended_transaction_history'], roles: ['PSP_AI'], grantType: 'refresh_token' },
      'grant_forbids',
    ],
    [{ requested: ['extended_transaction_history'], roles: ['PSP_AI'] }, 'incomplete'],
  ] as const)('refuses %p with %s', (request, reason) => {
    const result = checkScopes({ ...request, requested: [...request.requested], roles: [...request.roles] });
    expect(result).toMatchObject({ ok: false, reason });
  });
});
