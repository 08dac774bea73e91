import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { readQwac } from './qwac.js';

// See fixtures/README.md: encoded by OpenSSL, not by our own test PKI.
const pem = readFileSync(new URL('fixtures/openssl-qwac.pem', import.meta.url), 'utf8');

describe('a QWAC encoded by OpenSSL', () => {
  it('yields the roles by OID although their names are not the standard ones', () => {
    const identity = readQwac(pem);
    expect(identity.roles).toEqual(['PSP_AI', 'PSP_PI']);
    expect(identity.rolesOfPsp.map((role) => role.name)).toEqual([
      'Account Information Service',
      'Payment Initiation',
    ]);
  });

  it('yields the organisation, the NCA and the subject as OpenSSL prints it (RFC 2253)', () => {
    expect(readQwac(pem)).toMatchObject({
      organizationIdentifier: 'PSDDE-BAFIN-123456',
      organizationName: 'Beispiel Zahlungsdienste GmbH',
      ncaName: 'Bundesanstalt für Finanzdienstleistungsaufsicht',
      ncaId: 'DE-BAFIN',
      subjectDn:
        'CN=api.beispiel.example,organizationIdentifier=PSDDE-BAFIN-123456,O=Beispiel Zahlungsdienste GmbH,C=DE',
    });
  });
});
