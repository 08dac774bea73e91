import { describe, expect, it } from '@jest/globals';
import { paymentBinding } from '@psd2/payment-details';
import { deserialise, idleSecondsOf, SESSION_VERSION } from './session.js';
import { checkPassword, deny, grant, grantAs, refuseSignIn, signIn, start } from './transitions.js';

/*
 * The stages of an authorization request, without HTTP or a store: what each move keeps, adds and
 * drops, and how the store reads what it holds.
 */

const opened = {
  flowId: 'flow-1',
  csrf: 'csrf-1',
  lang: 'fr' as const,
  request: { clientId: 'c', redirectUri: 'https://tpp.example/cb', scope: 'aisp', state: 's' },
  client: { name: 'n', organizationId: 'o', organizationName: 'on', ncaId: 'nca' },
};
const psu = { psuId: 'psu-1', displayName: 'One' };
const firstFactor = { customerId: 'psu-1', passed: true };

describe('the bank flow: started → password_checked → authenticated → decided', () => {
  it('keeps the request, client, CSRF token and flow id through every stage', () => {
    const started = start('bank', opened);
    expect(started).toEqual({ version: SESSION_VERSION, ...opened, flow: 'bank', stage: 'started' });
    const checked = checkPassword(started, firstFactor);
    expect(checked).toEqual({ ...started, stage: 'password_checked', signIn: firstFactor });
    const authenticated = signIn(checked, psu, 1_700_000_000);
    expect(authenticated).toEqual({ ...started, stage: 'authenticated', psu, authTime: 1_700_000_000 });
    expect(grant(authenticated)).toEqual({
      stage: 'decided',
      request: opened.request,
      decision: { outcome: 'granted', psuId: 'psu-1', authTime: 1_700_000_000 },
    });
  });

  it('a refused code goes back to started, the answered first factor gone', () => {
    const checked = checkPassword(start('bank', opened), { customerId: 'x', passed: false });
    const again = refuseSignIn(checked);
    expect(again).toEqual(start('bank', opened));
    expect('signIn' in again).toBe(false);
  });

  it('an authenticated session carries no first factor', () => {
    expect('signIn' in signIn(checkPassword(start('bank', opened), firstFactor), psu, 1)).toBe(false);
  });
});

describe('the sandbox flow: started → decided', () => {
  it('the simulated PSU authenticates as the tester grants', () => {
    expect(grantAs(start('sandbox', opened), psu, 42)).toEqual({
      stage: 'decided',
      request: opened.request,
      decision: { outcome: 'granted', psuId: 'psu-1', authTime: 42 },
    });
  });
});

describe('deny', () => {
  it('ends any stage with access denied for the same request', () => {
    const started = start('bank', opened);
    const checked = checkPassword(started, firstFactor);
    for (const session of [start('sandbox', opened), started, checked]) {
      expect(deny(session)).toEqual({
        stage: 'decided',
        request: opened.request,
        decision: { outcome: 'denied' },
      });
    }
    // The authenticated PSU is who rejected (a payment request records it).
    expect(deny(signIn(checked, psu, 1)).decision).toEqual({ outcome: 'denied', psuId: 'psu-1' });
  });
});

describe('a payment: the authentication bound to what the code step showed', () => {
  const detail = {
    type: 'payment_initiation',
    actions: ['initiate'],
    instructedAmount: { currency: 'EUR', amount: '123.50' },
    creditorName: 'Merchant A',
    creditorAccount: { iban: 'DE02100100109307118603' },
  } as const;
  const paying = {
    ...opened,
    request: { ...opened.request, scope: 'pisp', payment: { paymentRequestId: 'pr-1', detail } },
  };

  it('bank: signIn records paymentBinding of the payment, and the grant carries it', () => {
    const authenticated = signIn(checkPassword(start('bank', paying), firstFactor), psu, 7);
    expect(authenticated.scaBinding).toBe(paymentBinding(detail));
    expect(grant(authenticated).decision).toEqual({
      outcome: 'granted',
      psuId: 'psu-1',
      authTime: 7,
      scaBinding: paymentBinding(detail),
    });
  });

  it('sandbox: the simulated approval is bound the same way', () => {
    expect(grantAs(start('sandbox', paying), psu, 9).decision).toMatchObject({
      scaBinding: paymentBinding(detail),
    });
  });

  it('a request without a payment has no binding', () => {
    expect('scaBinding' in signIn(checkPassword(start('bank', opened), firstFactor), psu, 1)).toBe(false);
  });
});

describe('idle time by stage', () => {
  const lifetimes = { idleSeconds: 300, anonymousSeconds: 60 };
  it('short until authenticated, the RTS idle time after', () => {
    const checked = checkPassword(start('bank', opened), firstFactor);
    expect(idleSecondsOf(start('sandbox', opened), lifetimes)).toBe(60);
    expect(idleSecondsOf(checked, lifetimes)).toBe(60);
    expect(idleSecondsOf(signIn(checked, psu, 1), lifetimes)).toBe(300);
  });
});

describe('the stored form', () => {
  it('reads back what was stored', () => {
    const session = checkPassword(start('bank', opened), firstFactor);
    expect(deserialise(JSON.stringify(session))).toEqual(session);
  });

  it('reads a session stored before the stages were typed (version 1) as expired', () => {
    const before = { ...opened, version: 1, flow: 'bank', stage: 'otp', signIn: firstFactor };
    expect(deserialise(JSON.stringify(before))).toBeUndefined();
  });
});
