import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueInternalServerCertificate,
  issueWorkloadClientCertificate,
} from '@psd2/test-pki';
import { edgeIdentityRefusal, subjectAltNames } from './edge-peer.js';

const SPIFFE_EDGE = 'spiffe://cluster.local/ns/psd2/sa/psd2-edge';

let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: 'Internal CA' });
});

describe('subjectAltNames', () => {
  it("reads Node's text, a quoted value whole", () => {
    expect(subjectAltNames('DNS:psd2-edge, URI:spiffe://a/b, IP Address:127.0.0.1')).toEqual([
      'DNS:psd2-edge',
      'URI:spiffe://a/b',
      'IP Address:127.0.0.1',
    ]);
    // A value that would read as two names if split at ", ".
    expect(subjectAltNames('DNS:"x, DNS:psd2-edge, y", DNS:other')).toEqual([
      'DNS:x, DNS:psd2-edge, y',
      'DNS:other',
    ]);
    expect(subjectAltNames(undefined)).toEqual([]);
  });
});

describe('edgeIdentityRefusal', () => {
  it('accepts a clientAuth certificate naming the edge by DNS or URI SAN', async () => {
    const edge = await issueWorkloadClientCertificate(ca, 'psd2-edge');
    expect(edgeIdentityRefusal(new X509Certificate(edge.certificatePem), ['psd2-edge'])).toBeUndefined();
    const meshEdge = await issueWorkloadClientCertificate(ca, 'edge-pod', { uris: [SPIFFE_EDGE] });
    expect(edgeIdentityRefusal(new X509Certificate(meshEdge.certificatePem), [SPIFFE_EDGE])).toBeUndefined();
  });

  it('refuses another workload of the same CA', async () => {
    const batch = await issueWorkloadClientCertificate(ca, 'psd2-batch');
    expect(edgeIdentityRefusal(new X509Certificate(batch.certificatePem), ['psd2-edge'])).toBe(
      'the certificate names no identity in EDGE_PEER_NAMES',
    );
  });

  it('refuses a certificate that is not for client authentication, whatever it names', async () => {
    const server = await issueInternalServerCertificate(ca, 'psd2-edge');
    expect(edgeIdentityRefusal(new X509Certificate(server.certificatePem), ['psd2-edge'])).toBe(
      'the certificate is not for client authentication',
    );
  });
});
