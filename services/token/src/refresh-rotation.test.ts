import { beforeAll, describe, expect, it } from '@jest/globals';
import type { RegisteredClient } from '@psd2/client-registry-client';
import type { DemoQwacName } from '@psd2/test-pki';
import { expectError, type IssuedTokens, issuedFrom, useTokenTestbed } from './test-support.js';

/*
 * REFRESH_TOKEN_ROTATION=true through the local mTLS edge: every refresh returns a new refresh token
 * and retires the one presented; presenting a retired token is reuse and revokes the grant, except a
 * retry of the previous token with the same certificate within the grace window (60 s by default).
 * The window's end is covered by the store's contract suite, which moves the store's clock.
 */

const testbed = useTokenTestbed({
  label: 'token-rotation',
  env: { token: { REFRESH_TOKEN_ROTATION: 'true' } },
});
const active = (accessToken: string) => testbed().active(accessToken);

describe('refresh token rotation with a grace window', () => {
  let client: RegisteredClient;
  beforeAll(async () => {
    // tpp-a-renewed: the same organisation and subject as tpp-a, so it authenticates as the same client.
    client = await testbed().registerCodeClient('tpp-a', 'aisp');
  });

  const refresh = (refreshToken: string, qwac: DemoQwacName = 'tpp-a') =>
    testbed().refresh(client, qwac, refreshToken);
  const newGrant = async (): Promise<IssuedTokens> =>
    issuedFrom(await testbed().exchange(client, 'tpp-a', await testbed().consent(client, 'aisp')));

  it('rotates on every use; a token whose successor was used is reuse and revokes the grant', async () => {
    const first = await newGrant();
    const second = issuedFrom(await refresh(first.refresh_token));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const third = issuedFrom(await refresh(second.refresh_token));

    expectError(await refresh(first.refresh_token), 400, 'invalid_grant');
    for (const issued of [first, second, third]) expect(await active(issued.access_token)).toBe(false);
    expectError(await refresh(third.refresh_token), 400, 'invalid_grant');
  });

  it('accepts a retry of the previous token with the same certificate: the consent lives on', async () => {
    const first = await newGrant();
    const lost = issuedFrom(await refresh(first.refresh_token));
    const retried = issuedFrom(await refresh(first.refresh_token));
    expect(retried.refresh_token).not.toBe(lost.refresh_token);
    for (const issued of [first, lost, retried]) expect(await active(issued.access_token)).toBe(true);
    const next = issuedFrom(await refresh(retried.refresh_token));
    expect(await active(next.access_token)).toBe(true);
  });

  it('answers two concurrent refreshes with one token both, and keeps the grant', async () => {
    const first = await newGrant();
    const answers = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token)]);
    const [one, two] = answers.map(issuedFrom);
    if (one === undefined || two === undefined) throw new Error('two answers expected');
    expect(one.refresh_token).not.toBe(two.refresh_token);
    expect(await active(one.access_token)).toBe(true);
    expect(await active(two.access_token)).toBe(true);
  });

  it('refuses an active token from another certificate at no cost', async () => {
    const first = await newGrant();
    expectError(await refresh(first.refresh_token, 'tpp-a-renewed'), 400, 'invalid_grant');
    expect(await active(first.access_token)).toBe(true);
    expect((await refresh(first.refresh_token)).status).toBe(200);
  });

  it('treats the previous token from another certificate as reuse and revokes the grant', async () => {
    const first = await newGrant();
    const second = issuedFrom(await refresh(first.refresh_token));
    expectError(await refresh(first.refresh_token, 'tpp-a-renewed'), 400, 'invalid_grant');
    for (const issued of [first, second]) expect(await active(issued.access_token)).toBe(false);
    expectError(await refresh(second.refresh_token), 400, 'invalid_grant');
  });
});
