import { describe, expect, it } from '@jest/globals';
import {
  checkScopes,
  formatScope,
  grantTypesForScopes,
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

  it('derives the grant types a client needs', () => {
    expect(grantTypesForScopes(['aisp'])).toEqual(['authorization_code', 'refresh_token']);
    expect(grantTypesForScopes(['pisp'])).toEqual(['client_credentials']);
  });

  it('never carries extended_transaction_history into a refreshed token', () => {
    expect(scopesForRefresh(['aisp', 'extended_transaction_history'])).toEqual(['aisp']);
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
    expect(checkScopes({ requested: ['pisp'], roles: ['PSP_PI'], grantType: 'client_credentials' }).ok).toBe(
      true,
    );
  });

  it.each([
    [{ requested: [], roles: ['PSP_AI'] }, 'empty'],
    [{ requested: ['openid'], roles: ['PSP_AI'] }, 'unknown_scope'],
    [{ requested: ['cbpii'], roles: ['PSP_AI', 'PSP_IC'], registered: ['aisp'] }, 'not_registered'],
    [{ requested: ['aisp'], roles: ['PSP_PI'] }, 'role_forbids'],
    [{ requested: ['pisp'], roles: ['PSP_PI'], grantType: 'authorization_code' }, 'grant_forbids'],
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
