import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '@psd2/config';
import { paymentConsentConfigSchema } from './config.js';

const plaintextSandbox = { DEPLOYMENT_MODE: 'sandbox', PAYMENT_CONSENT_PLAINTEXT: 'true' };

describe('paymentConsentConfigSchema', () => {
  it('runs as a bank by default: REDIS_URL is required, and named when missing', () => {
    expect(() => parseConfig(paymentConsentConfigSchema, { PAYMENT_CONSENT_PLAINTEXT: 'true' })).toThrow(
      'REDIS_URL is required when DEPLOYMENT_MODE is bank',
    );
    const config = parseConfig(paymentConsentConfigSchema, {
      PAYMENT_CONSENT_PLAINTEXT: 'true',
      REDIS_URL: 'rediss://redis:6380',
    });
    expect(config.DEPLOYMENT_MODE).toBe('bank');
  });

  it('defaults to port 50052 on loopback, a 900 s approval window and the registry on 50051', () => {
    expect(parseConfig(paymentConsentConfigSchema, plaintextSandbox)).toMatchObject({
      PORT: 50052,
      HOST: '127.0.0.1',
      PAYMENT_REQUEST_DEFAULT_EXPIRY_SECONDS: 900,
      CLIENT_REGISTRY_ADDRESS: '127.0.0.1:50051',
      CLIENT_REGISTRY_PLAINTEXT: false,
    });
  });

  it('keeps the default approval window within 10 to 3600 seconds', () => {
    for (const value of ['9', '3601', 'soon']) {
      expect(() =>
        parseConfig(paymentConsentConfigSchema, {
          ...plaintextSandbox,
          PAYMENT_REQUEST_DEFAULT_EXPIRY_SECONDS: value,
        }),
      ).toThrow('PAYMENT_REQUEST_DEFAULT_EXPIRY_SECONDS');
    }
  });

  it('never guesses the transport: TLS files or plaintext asked for, not both, not neither', () => {
    expect(() => parseConfig(paymentConsentConfigSchema, { DEPLOYMENT_MODE: 'sandbox' })).toThrow(
      'PAYMENT_CONSENT_TLS_CERT_FILE',
    );
    expect(() =>
      parseConfig(paymentConsentConfigSchema, {
        ...plaintextSandbox,
        PAYMENT_CONSENT_TLS_CERT_FILE: '/tls/tls.crt',
      }),
    ).toThrow('PAYMENT_CONSENT_PLAINTEXT');
    const tls = parseConfig(paymentConsentConfigSchema, {
      DEPLOYMENT_MODE: 'sandbox',
      PAYMENT_CONSENT_TLS_CERT_FILE: '/tls/tls.crt',
      PAYMENT_CONSENT_TLS_KEY_FILE: '/tls/tls.key',
    });
    expect(tls.PAYMENT_CONSENT_PLAINTEXT).toBe(false);
  });

  it('refuses an ISSUER that is not https', () => {
    expect(() =>
      parseConfig(paymentConsentConfigSchema, { ...plaintextSandbox, ISSUER: 'http://auth.bank.example' }),
    ).toThrow('ISSUER');
  });
});
