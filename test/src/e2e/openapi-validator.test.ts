import { describe, expect, it } from '@jest/globals';
import { loadOpenApiDocument } from '@psd2/openapi';
import { checkPaymentDetail, PAYMENT_INITIATION_EXAMPLE } from '@psd2/payment-details';
import { createResponseValidator, type ObservedResponse } from './openapi-validator.js';

/*
 * The validator must catch drift, or the end-to-end suite would pass whatever the services answer.
 * Each case is a response the document does not allow, next to one it does.
 */

const validator = createResponseValidator(loadOpenApiDocument());
const JSON_NO_STORE = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  pragma: 'no-cache',
};

type Overrides = Partial<Omit<ObservedResponse, 'headers'>> & { headers?: Headers | Record<string, string> };

function response(overrides: Overrides = {}): ObservedResponse {
  const { headers, ...rest } = overrides;
  return {
    method: 'POST',
    url: 'https://localhost:8443/oauth2/token',
    status: 200,
    body: JSON.stringify({
      access_token: 'a'.repeat(43),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'pisp',
    }),
    ...rest,
    headers: headers instanceof Headers ? headers : new Headers(headers ?? JSON_NO_STORE),
  };
}

describe('the OpenAPI response validator', () => {
  it('accepts responses the document describes', () => {
    expect(validator.check(response())).toEqual([]);
    expect(
      validator.check(
        response({
          status: 400,
          body: JSON.stringify({ error: 'invalid_grant', error_description: 'The grant is invalid.' }),
        }),
      ),
    ).toEqual([]);
    expect(
      validator.check(
        response({
          url: 'https://localhost:8443/oauth2/revoke?ignored=1',
          body: '',
          headers: { 'cache-control': 'no-store' },
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a token response of the wrong shape', () => {
    const broken = JSON.stringify({
      access_token: 'a'.repeat(43),
      token_type: 'bearer',
      expires_in: '3600',
      scope: 'pisp',
    });
    const problems = validator.check(response({ body: broken }));
    expect(problems.join('\n')).toMatch(/token_type/);
    expect(problems.join('\n')).toMatch(/expires_in/);
    expect(
      validator.check(
        response({
          body: JSON.stringify({
            access_token: 'a'.repeat(43),
            token_type: 'Bearer',
            expires_in: 1,
            scope: 'pisp',
            extra: 1,
          }),
        }),
      ),
    ).not.toEqual([]);
  });

  it('refuses an error code the endpoint does not document for that status', () => {
    const body = JSON.stringify({
      error: 'invalid_client',
      error_description: 'Client authentication failed.',
    });
    expect(validator.check(response({ status: 400, body }))).not.toEqual([]);
    expect(validator.check(response({ status: 401, body }))).toEqual([]);
  });

  it('refuses an active introspection response without cnf.x5t#S256', () => {
    const active = {
      active: true,
      scope: 'pisp',
      client_id: 'c',
      token_type: 'Bearer',
      exp: 2,
      iat: 1,
      iss: 'https://localhost:8443',
      organization_id: 'PSDFR-ACPR-12345',
    };
    const url = 'https://localhost:8443/oauth2/introspect';
    expect(validator.check(response({ url, body: JSON.stringify(active) }))).not.toEqual([]);
    const bound = { ...active, cnf: { 'x5t#S256': 'b'.repeat(43) } };
    expect(validator.check(response({ url, body: JSON.stringify(bound) }))).toEqual([]);
  });

  it('refuses an unknown path, method or status, a wrong content type and a missing required header', () => {
    expect(validator.check(response({ url: '/oauth2/tokens' }))[0]).toMatch(/not in the document/);
    expect(validator.check(response({ method: 'GET' }))[0]).toMatch(/no get operation/);
    expect(validator.check(response({ status: 418 }))[0]).toMatch(/not documented/);
    expect(
      validator.check(response({ headers: { ...JSON_NO_STORE, 'content-type': 'text/html' } }))[0],
    ).toMatch(/content type/);
    expect(
      validator.check(response({ headers: { 'content-type': 'application/json', pragma: 'no-cache' } }))[0],
    ).toMatch(/Cache-Control is missing/);
    expect(validator.check(response({ body: '{not json' }))[0]).toMatch(/not JSON/);
  });

  it('matches path templates and follows shared responses', () => {
    const html = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
    const page = response({
      method: 'GET',
      url: '/oauth2/en/sandbox/signin.html?client_id=x',
      status: 400,
      body: '<!doctype html>',
      headers: { ...html, 'content-security-policy': "default-src 'none'" },
    });
    expect(validator.check(page)).toEqual([]);
    expect(validator.check({ ...page, headers: new Headers(html) })[0]).toMatch(/Content-Security-Policy/);
  });

  it('describes every payment the server accepts, at the edges of each rule', () => {
    const accepted = [
      PAYMENT_INITIATION_EXAMPLE,
      // The currency's minor units, whatever they are: 0 (JPY), 3 (BHD), 4 (CLF).
      { ...PAYMENT_INITIATION_EXAMPLE, instructedAmount: { currency: 'JPY', amount: '150000' } },
      { ...PAYMENT_INITIATION_EXAMPLE, instructedAmount: { currency: 'BHD', amount: '1.234' } },
      { ...PAYMENT_INITIATION_EXAMPLE, instructedAmount: { currency: 'CLF', amount: '1.2345' } },
      {
        ...PAYMENT_INITIATION_EXAMPLE,
        actions: ['cancel'],
        paymentId: 'p'.repeat(64),
        creditorName: 'é'.repeat(70),
        remittanceInformationUnstructured: 'r'.repeat(140),
        debtorAccount: { iban: 'FR1420041010050500013M02606' },
      },
    ].map(checkPaymentDetail);
    for (const detail of accepted) {
      const body = JSON.stringify({
        access_token: 'a'.repeat(43),
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'pisp',
        authorization_details: [detail],
      });
      expect(validator.check(response({ body }))).toEqual([]);
    }
  });

  it('documents the 429 of a TPP pushing too many authorization requests', () => {
    const body = JSON.stringify({ error: 'invalid_request', error_description: 'Too many requests.' });
    const tooMany = { url: '/oauth2/par', status: 429, body };
    expect(
      validator.check(response({ ...tooMany, headers: { ...JSON_NO_STORE, 'retry-after': '42' } })),
    ).toEqual([]);
    expect(validator.check(response(tooMany))[0]).toMatch(/Retry-After/);
  });
});
