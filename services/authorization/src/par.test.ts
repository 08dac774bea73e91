import { describe, expect, it } from '@jest/globals';
import { createMemoryRateLimiter } from '@psd2/rate-limit';
import { roomyThrottles } from './app.test-support.js';
import { DETAIL, PAY_REDIRECT, paymentTestbed } from './payment.test-support.js';

/*
 * POST /oauth2/par (RFC 9126) in process: tls_client_auth with the XFCC header the edge writes, the
 * request validated as the authorization endpoint would, every refusal a JSON error (no redirect).
 */

const bed = paymentTestbed();

async function refusal(response: Response): Promise<{ status: number; error: string; description: string }> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('location')).toBeNull();
  const body = (await response.json()) as { error: string; error_description?: string };
  return { status: response.status, error: body.error, description: body.error_description ?? '' };
}

describe('a pushed payment request', () => {
  it('answers 201 with a request_uri valid 60 seconds, and records a pending payment request', async () => {
    const response = await bed.push('psp-pi', bed.paymentFields());
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['expires_in', 'request_uri']);
    expect(body.expires_in).toBe(60);
    expect(body.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:[\w-]{43}$/);

    const used = await bed.store.usePushedRequest(String(body.request_uri), 'pisp-1');
    if (used.outcome !== 'used') throw new Error(`pushed request ${used.outcome}`);
    // Scope absent with payment details: pisp (RFC 9396 §3). No authorization_details kept as a parameter.
    expect(used.record.parameters).toMatchObject({ client_id: 'pisp-1', scope: 'pisp', state: 'pay-state' });
    expect(used.record.parameters.authorization_details).toBeUndefined();
    const payment = await bed.store.findPaymentRequest(used.record.paymentRequestId ?? '');
    expect(payment).toMatchObject({
      clientId: 'pisp-1',
      origin: 'pushed',
      status: 'pending',
      detail: DETAIL,
    });
    expect((payment?.expiresAt ?? 0) - (payment?.createdAt ?? 0)).toBe(600);
  });

  it('takes an explicit scope=pisp and a plain (aisp) pushed request without details', async () => {
    expect((await bed.push('psp-pi', bed.paymentFields({ scope: 'pisp' }))).status).toBe(201);
    const plain = await bed.push('tpp-a', {
      ...bed.paymentFields({ client_id: 'tpp-a-1', scope: 'aisp' }),
      authorization_details: '',
    });
    // '' is absent for a form (RFC 6749 §3.1).
    expect(plain.status).toBe(201);
  });
});

describe('refusals, as JSON', () => {
  it('no client certificate: 401 invalid_client', async () => {
    expect(await refusal(await bed.push(undefined, bed.paymentFields()))).toMatchObject({
      status: 401,
      error: 'invalid_client',
    });
  });

  it('a client_id not the certificate’s client: 401 invalid_client', async () => {
    const response = await bed.push('psp-pi', bed.paymentFields({ client_id: 'tpp-a-1' }));
    expect(await refusal(response)).toMatchObject({ status: 401, error: 'invalid_client' });
    const unknown = await bed.push('psp-pi', bed.paymentFields({ client_id: 'nobody' }));
    expect(await refusal(unknown)).toMatchObject({ status: 401, error: 'invalid_client' });
  });

  it.each([
    ['not JSON', '{'],
    ['an object, not an array', JSON.stringify(DETAIL)],
    ['an unknown type', JSON.stringify([{ ...DETAIL, type: 'account_information' }])],
    ['an invalid IBAN', JSON.stringify([{ ...DETAIL, creditorAccount: { iban: 'DE00100100109307118603' } }])],
    ['an unknown member', JSON.stringify([{ ...DETAIL, extra: 1 }])],
  ])('authorization_details %s: 400 invalid_authorization_details', async (_what, details) => {
    const response = await bed.push('psp-pi', bed.paymentFields({ authorization_details: details }));
    expect(await refusal(response)).toMatchObject({ status: 400, error: 'invalid_authorization_details' });
  });

  it('request_uri in the body: 400 invalid_request (RFC 9126 §2.1)', async () => {
    const response = await bed.push('psp-pi', bed.paymentFields({ request_uri: 'urn:x' }));
    expect(await refusal(response)).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('an unregistered or missing redirect_uri: 400 invalid_request, nothing redirected', async () => {
    for (const redirect of ['https://evil.example/cb', '']) {
      const response = await bed.push('psp-pi', bed.paymentFields({ redirect_uri: redirect }));
      const refused = await refusal(response);
      expect(refused).toMatchObject({ status: 400, error: 'invalid_request' });
      expect(refused.description).toContain('redirect_uri');
    }
  });

  it('payment details with another scope: 400 invalid_scope', async () => {
    for (const [clientId, qwac, scope] of [
      ['pisp-1', 'psp-pi', 'aisp'],
      ['tpp-a-1', 'tpp-a', 'aisp pisp'],
    ] as const) {
      const response = await bed.push(qwac, bed.paymentFields({ client_id: clientId, scope }));
      expect(await refusal(response)).toMatchObject({ status: 400, error: 'invalid_scope' });
    }
  });

  it('pisp without payment details: 400 invalid_request saying a payment is needed', async () => {
    const response = await bed.push('psp-pi', {
      ...bed.paymentFields({ scope: 'pisp' }),
      authorization_details: '',
    });
    const refused = await refusal(response);
    expect(refused).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(refused.description).toContain('authorization_details');
  });

  it('no PKCE, a wrong response_type, a repeated parameter: the authorization endpoint’s errors', async () => {
    const noPkce = await bed.push(
      'psp-pi',
      bed.paymentFields({ code_challenge: '', code_challenge_method: '' }),
    );
    expect(await refusal(noPkce)).toMatchObject({ status: 400, error: 'invalid_request' });
    const token = await bed.push('psp-pi', bed.paymentFields({ response_type: 'token' }));
    expect(await refusal(token)).toMatchObject({ status: 400, error: 'unsupported_response_type' });
    const body = `${new URLSearchParams(bed.paymentFields()).toString()}&state=again`;
    const repeated = await fetch(`${bed.base()}/oauth2/par`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    // Without a certificate the body is not even read.
    expect(await refusal(repeated)).toMatchObject({ status: 401, error: 'invalid_client' });
  });

  it('a pushed request records nothing when refused', async () => {
    const before = bed.store.debugKeys().length;
    await bed.push('psp-pi', bed.paymentFields({ redirect_uri: 'https://evil.example/cb' }));
    await bed.push('psp-pi', bed.paymentFields({ authorization_details: '[]' }));
    expect(bed.store.debugKeys().length).toBe(before);
  });

  it('GET is not the endpoint', async () => {
    const response = await fetch(`${bed.base()}/oauth2/par`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(PAY_REDIRECT).toBeDefined();
  });
});

describe('the rate of pushes per TPP organisation', () => {
  const limited = paymentTestbed({
    throttles: {
      ...roomyThrottles(),
      pushedRequestsPerOrganisation: createMemoryRateLimiter({ name: 'par', limit: 2, windowSeconds: 60 }),
    },
  });

  it('beyond the limit: 429 JSON with Retry-After, before anything is stored', async () => {
    expect((await limited.push('psp-pi', limited.paymentFields())).status).toBe(201);
    expect((await limited.push('psp-pi', limited.paymentFields())).status).toBe(201);
    const refused = await limited.push('psp-pi', limited.paymentFields());
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refusal(refused)).toMatchObject({ status: 429, error: 'invalid_request' });
  });
});

describe('a pushed request of a suspended TPP (issue 18)', () => {
  it('refuses a suspended organisation with 401 invalid_client and a suspended role with 400 unauthorized_client', async () => {
    try {
      bed.suspend('pisp-1', { organisationSuspended: true, suspendedRoles: [] });
      expect(await refusal(await bed.push('psp-pi', bed.paymentFields()))).toMatchObject({
        status: 401,
        error: 'invalid_client',
      });
      bed.suspend('pisp-1', { organisationSuspended: false, suspendedRoles: ['PSP_PI'] });
      expect(await refusal(await bed.push('psp-pi', bed.paymentFields()))).toMatchObject({
        status: 400,
        error: 'unauthorized_client',
      });
    } finally {
      bed.suspend('pisp-1', undefined);
    }
    expect((await bed.push('psp-pi', bed.paymentFields())).status).toBe(201);
  });
});
