import { describe, expect, it } from '@jest/globals';
import { createCertificateAuthority } from '@psd2/test-pki';
import { trustedCas } from './crl-authorities.js';
import { figuresOf } from './crl-metrics.js';

describe('figuresOf', () => {
  it("gives the seconds left before the CA certificate's notAfter, whatever became of its CRL", async () => {
    const authority = await createCertificateAuthority({ commonName: 'Expiry CA' });
    const [ca] = trustedCas(authority.certificatePem);
    if (ca === undefined) throw new Error('one CA expected');
    const now = new Date(ca.certificate.notAfter.getTime() - 3_600_000);
    const figures = figuresOf({ ca, outcome: 'failed-closed', problems: ['no CRL'] }, now);
    expect(figures).toEqual({
      ca: 'Expiry CA',
      ski: ca.ski,
      failedClosed: true,
      certificateExpiresInSeconds: 3600,
    });
    const expired = figuresOf(
      { ca, outcome: 'failed-closed', problems: [] },
      new Date(now.getTime() + 7_200_000),
    );
    expect(expired.certificateExpiresInSeconds).toBe(-3600);
  });
});
