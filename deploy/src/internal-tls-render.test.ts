import { describe, expect, it } from '@jest/globals';
import { certificateErrors, issuerErrors } from './cert-manager-resources.js';
import { field, type KubeObject, OVERLAYS, records } from './manifests.js';
import { podSpecOf } from './policy.js';
import { find, objectsOf } from './render-support.js';
import { schemaErrors } from './schema.js';

/*
 * components/internal-tls: cert-manager issues, in each overlay's namespace, every Secret the edge
 * and the HTTP services mount for edge-to-service TLS, with the names the contract fixes.
 */

const HTTP_SERVICES = ['registration', 'authorization', 'token', 'revocation'];

function secretsMounted(objects: readonly KubeObject[]): string[] {
  return objects.flatMap((object) =>
    records(podSpecOf(object)?.volumes).flatMap((volume) => {
      const name = field(volume, 'secret', 'secretName');
      return typeof name === 'string' ? [name] : [];
    }),
  );
}

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  const namespace = overlay === 'sandbox' ? 'psd2-sandbox' : 'psd2-auth';

  it.each(HTTP_SERVICES)('issues %s-tls for the Service names in the namespace', (name) => {
    const certificate = find(objectsOf(overlay), 'Certificate', `${name}-tls`);
    expect(field(certificate, 'spec', 'secretName')).toBe(`${name}-tls`);
    expect(field(certificate, 'spec', 'dnsNames')).toEqual([
      name,
      `${name}.${namespace}.svc`,
      `${name}.${namespace}.svc.cluster.local`,
    ]);
    expect(field(certificate, 'spec', 'usages')).toContain('server auth');
    expect(field(certificate, 'spec', 'issuerRef', 'name')).toBe('psd2-internal-ca');
  });

  it("issues the edge's client certificate, psd2-edge with clientAuth, from the same CA", () => {
    const certificate = find(objectsOf(overlay), 'Certificate', 'edge-upstream-tls');
    expect(field(certificate, 'spec', 'dnsNames')).toEqual(['psd2-edge']);
    expect(field(certificate, 'spec', 'usages')).toEqual(['client auth', 'digital signature']);
    expect(field(certificate, 'spec', 'issuerRef', 'name')).toBe('psd2-internal-ca');
    const ca = find(objectsOf(overlay), 'Issuer', 'psd2-internal-ca');
    expect(field(ca, 'spec', 'ca', 'secretName')).toBe('psd2-internal-ca');
    expect(field(find(objectsOf(overlay), 'Certificate', 'psd2-internal-ca'), 'spec', 'isCA')).toBe(true);
  });

  it('issues every internal TLS Secret a pod mounts', () => {
    const objects = objectsOf(overlay);
    const issued = objects
      .filter((object) => object.kind === 'Certificate')
      .map((object) => field(object, 'spec', 'secretName'));
    const internal = secretsMounted(objects).filter(
      (name) => HTTP_SERVICES.some((service) => name === `${service}-tls`) || name === 'edge-upstream-tls',
    );
    expect(new Set(internal)).toEqual(
      new Set([...HTTP_SERVICES.map((s) => `${s}-tls`), 'edge-upstream-tls']),
    );
    for (const secret of internal) expect(issued).toContain(secret);
  });
});

describe('the cert-manager checks', () => {
  const certificate = {
    secretName: 'token-tls',
    dnsNames: ['token'],
    usages: ['server auth'],
    duration: '2160h',
    issuerRef: { name: 'psd2-internal-ca', kind: 'Issuer' },
  };

  it('accept a well-formed Certificate and Issuers', () => {
    expect(certificateErrors(certificate)).toEqual([]);
    expect(issuerErrors({ selfSigned: {} })).toEqual([]);
    expect(issuerErrors({ ca: { secretName: 'psd2-internal-ca' } })).toEqual([]);
  });

  it.each([
    [{ ...certificate, dnsName: ['token'] }, '/spec/dnsName is not a field of this object'],
    [{ ...certificate, usages: ['client-auth'] }, '/spec/usages: client-auth is not a key usage'],
    [{ ...certificate, duration: '90d' }, '/spec/duration must be a Go duration such as 2160h'],
    [{ ...certificate, issuerRef: { kind: 'Issuer' } }, '/spec/issuerRef/name must be a string'],
    [{ ...certificate, secretName: undefined }, '/spec/secretName must be a Secret name'],
  ])('refuse a Certificate with a mistake (%#)', (spec, error) => {
    expect(certificateErrors(spec)).toContain(error);
  });

  it('refuse an Issuer of no kind, or of two', () => {
    expect(issuerErrors({})).toEqual(['/spec needs exactly one of selfSigned and ca']);
    expect(issuerErrors({ selfSigned: {}, ca: { secretName: 'x' } })).toContain(
      '/spec needs exactly one of selfSigned and ca',
    );
    expect(issuerErrors({ ca: {} })).toEqual(['/spec/ca/secretName must be a Secret name']);
  });

  it('stand in for the schema check of cert-manager kinds', async () => {
    const object: KubeObject = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'token-tls' },
      spec: { ...certificate, usages: ['server'] },
      status: {},
    };
    expect(await schemaErrors(object)).toEqual([
      'Certificate/token-tls: /status is not a field of this object',
      'Certificate/token-tls: /spec/usages: server is not a key usage',
    ]);
  });
});
