import { describe, expect, it } from '@jest/globals';
import type { RegisteredClient } from '@psd2/client-registry-client';
import { UnauthorizedClientError } from '@psd2/oauth-errors';
import { refusedBySuspension, refuseSuspendedScopes, suspendedScopesOf } from './suspension.js';

const clientWith = (suspendedRoles: RegisteredClient['roles'] | undefined): RegisteredClient =>
  ({
    clientId: 'client-1',
    ...(suspendedRoles === undefined ? {} : { suspension: { organisationSuspended: false, suspendedRoles } }),
  }) as RegisteredClient;

describe('scopes refused by a role suspension', () => {
  it("names the suspended roles' scopes", () => {
    expect(suspendedScopesOf(clientWith(['PSP_AI']))).toEqual(['aisp', 'extended_transaction_history']);
    expect(suspendedScopesOf(clientWith(['PSP_PI', 'PSP_IC']))).toEqual(['cbpii', 'pisp']);
    expect(suspendedScopesOf(clientWith(undefined))).toEqual([]);
  });

  it('refuses a request holding one of them with unauthorized_client, and lets the others through', () => {
    const client = clientWith(['PSP_PI']);
    expect(refusedBySuspension(client, 'aisp pisp')).toEqual(['pisp']);
    expect(() => refuseSuspendedScopes(client, 'pisp')).toThrow(UnauthorizedClientError);
    expect(() => refuseSuspendedScopes(client, 'aisp')).not.toThrow();
    expect(() => refuseSuspendedScopes(client, undefined)).not.toThrow();
    expect(() => refuseSuspendedScopes(clientWith(undefined), 'pisp')).not.toThrow();
  });
});
