import { describe, expect, it } from '@jest/globals';
import type { HttpResult } from '@psd2/testing';
import { sql } from 'drizzle-orm';
import { BANK_REDIRECT, bankSuite, comparable, otherThan, REFUSED } from './bank.test-support.js';
import { csrfToken, locationParams, sessionCookie } from './test-support.js';

/*
 * The bank deployment through the local edge: sign-in with customer id + password, the TOTP second
 * factor, consent; one answer for every refusal whoever is named (no enumeration, no telling which
 * factor failed, no telling a lock), with the same work; the lockout; the sandbox page being absent.
 * The flood limits, CSRF and expiry: bank-limits.test.ts.
 */

const nowSeconds = () => Math.floor(Date.now() / 1000);

const suite = bankSuite('authz-bank', { PSU_LOCK_SECONDS: '600' }, [
  'psu-main',
  'psu-lock',
  'psu-enum',
  'psu-timing',
]);
const wrongCode = (psuId: string) => otherThan(suite.bank.codeOf(psuId));

describe('bank mode', () => {
  it('has no sandbox page', async () => {
    const result = await suite.pages.fetch(`/oauth2/fr/sandbox/signin.html?${suite.bank.query()}`);
    expect(result.status).toBe(404);
    expect(result.headers.get('location')).toBeNull();
    expect(result.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('signs in with password and TOTP, then the consent grants a code', async () => {
    const flow = await suite.pages.open();
    const signedIn = await suite.pages.signIn(flow, 'psu-main', 'pw-psu-main-ok');
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/oauth2/fr/banque/otp');
    // Consent cannot be granted before the second factor.
    expect((await suite.pages.post(flow, '/oauth2/fr/banque/consent', { decision: 'grant' })).status).toBe(
      400,
    );

    const otpPage = await suite.pages.fetch('/oauth2/fr/banque/otp', { headers: { cookie: flow.cookie } });
    expect(otpPage.status).toBe(200);
    expect(otpPage.text).toContain('autocomplete="one-time-code"');

    const code = suite.bank.codeOf('psu-main');
    const verified = await suite.pages.sendOtp(flow, code);
    expect(verified.status).toBe(303);
    expect(verified.headers.get('location')).toBe('/oauth2/fr/banque/consent');
    // A new session id after authentication; the old one is dead.
    const authenticated = sessionCookie(verified);
    expect(authenticated).toBeDefined();
    expect(authenticated).not.toBe(flow.cookie);
    expect(
      (await suite.pages.fetch('/oauth2/fr/banque/consent', { headers: { cookie: flow.cookie } })).status,
    ).toBe(400);

    const after = { cookie: authenticated ?? '', csrf: flow.csrf };
    const consent = await suite.pages.fetch('/oauth2/fr/banque/consent', {
      headers: { cookie: after.cookie },
    });
    expect(consent.status).toBe(200);
    expect(consent.text).toContain('Connecté en tant que Client psu-main');
    expect(consent.text).toContain('180 jours');
    expect(consent.text).toContain('paiement par carte');

    const granted = await suite.pages.post(after, '/oauth2/fr/banque/consent', { decision: 'grant' });
    expect(granted.status).toBe(303);
    const params = locationParams(granted);
    expect(params.get('state')).toBe('bank-state');
    expect(params.get('iss')).toBe(suite.bank.system.edgeUrl);
    const redemption = await suite.bank.store.redeemAuthorizationCode(
      params.get('code') ?? '',
      suite.bank.client.clientId,
    );
    expect(redemption.outcome).toBe('redeemed');
    if (redemption.outcome !== 'redeemed') return;
    expect(redemption.record).toMatchObject({
      subject: 'psu-main',
      scope: 'aisp cbpii',
      redirectUri: BANK_REDIRECT,
    });
    const grant = await suite.bank.store.findGrant(redemption.record.grantId);
    expect(Math.abs((grant?.authTime ?? 0) - nowSeconds())).toBeLessThan(30);

    // A code already used is refused in a new sign-in (RFC 6238 §5.2), with the one refusal.
    const replay = await suite.pages.attempt('psu-main', 'pw-psu-main-ok', code);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain(REFUSED);
  });

  it('a refusal sends the PSU back to the sign-in page with a new session, whatever failed', async () => {
    const flow = await suite.pages.open();
    expect((await suite.pages.signIn(flow, 'psu-main', 'pw-psu-main-ok')).status).toBe(303);
    const refused = await suite.pages.sendOtp(flow, wrongCode('psu-main'));
    expect(refused.status).toBe(401);
    expect(refused.text).toContain(REFUSED);
    expect(refused.text).toContain('name="customer_id"');
    const next = sessionCookie(refused);
    expect(next).toBeDefined();
    expect(next).not.toBe(flow.cookie);
    // The code step answered once: the old session cannot try another code.
    expect((await suite.pages.sendOtp(flow, suite.bank.codeOf('psu-main'))).status).toBe(400);
    // The new session starts again from the password (and a right sign-in clears the failure).
    const again = { cookie: next ?? '', csrf: csrfToken(refused.text) };
    expect((await suite.pages.sendOtp(again, suite.bank.codeOf('psu-main'))).status).toBe(400);
    expect((await suite.pages.signIn(again, 'psu-main', 'pw-psu-main-ok')).status).toBe(303);
    expect((await suite.pages.sendOtp(again, suite.bank.codeOf('psu-main', 30))).status).toBe(303);
  });

  it('answers a known and an unknown identifier alike in every state: status, page, no lock revealed', async () => {
    const unknown = () => suite.pages.attempt('psu-ghost', 'pw-psu-enum-ok', suite.bank.codeOf('psu-enum'));
    const expectAlike = async (known: HttpResult) => {
      const other = await unknown();
      expect(comparable(known)).toEqual(comparable(other));
      expect(known.status).toBe(401);
      expect(known.text).toContain(REFUSED);
    };
    // Never seen before, then a wrong password, then the right password with a wrong code.
    await expectAlike(await suite.pages.attempt('psu-enum', 'wrong-password', suite.bank.codeOf('psu-enum')));
    await expectAlike(await suite.pages.attempt('psu-enum', 'pw-psu-enum-ok', wrongCode('psu-enum')));
    for (let failure = 3; failure <= 5; failure += 1)
      await suite.pages.attempt('psu-enum', 'wrong-password', '000000');
    // Locked: even the right password and the right code get the same answer as a stranger.
    await expectAlike(await suite.pages.attempt('psu-enum', 'pw-psu-enum-ok', suite.bank.codeOf('psu-enum')));
    // The lock ran out (moved into the past in the database): a wrong password still looks the same...
    await suite.bank.database.db.execute(
      sql`update psu_directory_psus set locked_until = now() - interval '1 second' where psu_id = 'psu-enum'`,
    );
    await expectAlike(await suite.pages.attempt('psu-enum', 'wrong-password', suite.bank.codeOf('psu-enum')));
    // ...and the right sign-in gets in.
    expect(
      (await suite.pages.attempt('psu-enum', 'pw-psu-enum-ok', suite.bank.codeOf('psu-enum', 30))).status,
    ).toBe(303);
  });

  it('refuses an identifier no customer can have (15 KB of NULs, too long, RTL override) as an unknown one', async () => {
    const stranger = comparable(await suite.pages.attempt('psu-ghost', 'pw', '000000'));
    for (const customerId of ['\u0000'.repeat(5000), 'x'.repeat(5000), 'psu\u202emain']) {
      const answer = await suite.pages.attempt(customerId, 'pw', '000000');
      expect(answer.status).toBe(401);
      expect(comparable(answer)).toEqual(stranger);
    }
  });

  it('takes as long for an unknown identifier as for a known one (one scrypt check each)', async () => {
    const timed = async (customerId: string) => {
      const flow = await suite.pages.open();
      const started = performance.now();
      expect((await suite.pages.signIn(flow, customerId, 'wrong-password')).status).toBe(303);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let round = 0; round < 7; round += 1) {
      known.push(await timed('psu-timing'));
      unknown.push(await timed(`psu-nobody-${round}`));
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    // Skipping the hash for either would be several times faster (scrypt N=2^15 dominates the request);
    // a factor of two either way leaves room for a loaded CI machine.
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('locks the PSU after five failed sign-ins: then even the right password and code are refused', async () => {
    for (let failure = 1; failure <= 5; failure += 1) {
      const refused = await suite.pages.attempt(
        'psu-lock',
        `wrong-${failure}`,
        suite.bank.codeOf('psu-lock'),
      );
      expect(refused.status).toBe(401);
    }
    const right = await suite.pages.attempt('psu-lock', 'pw-psu-lock-ok', suite.bank.codeOf('psu-lock'));
    expect(right.status).toBe(401);
    expect(right.text).toContain(REFUSED);
    expect(right.text).not.toMatch(/bloqué jusqu|423/);
  });
});
