import { describe, expect, it } from '@jest/globals';
import { createCertificateAuthority, issueServerCertificate } from '@psd2/test-pki';
import {
  DAY_MS,
  FOR_ESIGNATURES,
  SERVICE_TYPE_TSA_QTST,
  STATUS_WITHDRAWN,
  trustedListXml,
} from './trusted-list.test-support.js';
import { parseTrustedList } from './trusted-list-parse.js';
import { FOR_WEBSITE_AUTHENTICATION, selectWebsiteAuthenticationCas } from './trusted-list-select.js';

describe('selectWebsiteAuthenticationCas', () => {
  it('keeps granted CA/QC services for website authentication, and nothing else', async () => {
    const [webCa, withdrawnCa, signaturesCa, timestampCa, bothCa, expiredCa] = await Promise.all(
      ['Web', 'Withdrawn', 'Signatures', 'Timestamps', 'Both', 'Expired'].map((name) =>
        createCertificateAuthority({
          commonName: `${name} CA`,
          ...(name === 'Expired'
            ? { notBefore: new Date(Date.now() - 20 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) }
            : {}),
        }),
      ),
    );
    if (webCa === undefined || withdrawnCa === undefined || signaturesCa === undefined)
      throw new Error('fixture');
    if (timestampCa === undefined || bothCa === undefined || expiredCa === undefined)
      throw new Error('fixture');
    const leaf = await issueServerCertificate(webCa);
    const xml = trustedListXml({
      territory: 'FR',
      providers: [
        {
          name: 'QTSP One',
          services: [
            { name: 'Web', certificates: [webCa.der] },
            { name: 'Withdrawn', certificates: [withdrawnCa.der], status: STATUS_WITHDRAWN },
            {
              name: 'Signatures',
              certificates: [signaturesCa.der],
              additionalInformation: [FOR_ESIGNATURES],
            },
            { name: 'Timestamps', certificates: [timestampCa.der], type: SERVICE_TYPE_TSA_QTST },
          ],
        },
        {
          name: 'QTSP Two',
          services: [
            {
              name: 'Both',
              certificates: [bothCa.der],
              additionalInformation: [FOR_ESIGNATURES, FOR_WEBSITE_AUTHENTICATION],
            },
            { name: 'Leaf and expired', certificates: [leaf.der, expiredCa.der] },
          ],
        },
      ],
    });
    const { cas, warnings } = selectWebsiteAuthenticationCas(parseTrustedList(xml, 'FR'), new Date());
    expect(cas.map((ca) => `${ca.territory} ${ca.providerName} ${ca.serviceName} ${ca.subject}`)).toEqual([
      'FR QTSP One Web C=FR, O=PSD2 Test QTSP, CN=Web CA',
      'FR QTSP Two Both C=FR, O=PSD2 Test QTSP, CN=Both CA',
    ]);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^skipped FR "QTSP Two" "Leaf and expired" sha256=[0-9a-f]{64}: not a CA certificate/,
      ),
      expect.stringMatching(/^skipped FR "QTSP Two" "Leaf and expired" sha256=[0-9a-f]{64}: expired/),
    ]);
  });

  it('reads the current status only: a service granted today but withdrawn in its history is kept', async () => {
    const ca = await createCertificateAuthority({ commonName: 'Reinstated CA' });
    const xml = trustedListXml({
      providers: [{ name: 'Q', services: [{ name: 'S', certificates: [ca.der] }] }],
    });
    expect(xml).toContain('<ServiceHistory>');
    expect(selectWebsiteAuthenticationCas(parseTrustedList(xml, 'FR'), new Date()).cas).toHaveLength(1);
  });
});
