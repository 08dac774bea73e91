import { join } from 'node:path';
import {
  type CertificateAuthority,
  CLIENT_AUTH,
  createCertificateAuthority,
  type IssuedCertificate,
  issueLeaf,
  SERVER_AUTH,
} from './issue.js';
import { x509 } from './x509.js';

/*
 * The internal PKI between the edge and the services (docs/edge-to-service.md): an internal CA, separate
 * from the QTSP and operator CAs, that issues each HTTP service's server certificate and the edge's
 * client certificate. A service believes x-forwarded-client-cert only on a connection that presented
 * the edge's certificate.
 */

/** The services behind the edge, each with a server certificate named after it. */
export const INTERNAL_SERVICES = ['registration', 'authorization', 'token', 'revocation'] as const;
export type InternalService = (typeof INTERNAL_SERVICES)[number];

/** The edge's identity: its certificate's CN and DNS SAN, the services' default EDGE_PEER_NAMES. */
export const EDGE_PEER_NAME = 'psd2-edge';

export interface InternalCertificateFiles {
  readonly cert: string;
  readonly key: string;
}

export interface InternalPki {
  /** The internal CA: the services' EDGE_PEER_CA_FILE and the edge's UPSTREAM_CA_FILE. */
  readonly ca: InternalCertificateFiles;
  /** Each service's TLS_CERT_FILE/TLS_KEY_FILE: DNS SANs `<service>` and localhost, IP 127.0.0.1. */
  readonly services: Readonly<Record<InternalService, InternalCertificateFiles>>;
  /** The edge's UPSTREAM_TLS_CERT_FILE/UPSTREAM_TLS_KEY_FILE: DNS SAN psd2-edge, clientAuth. */
  readonly edge: InternalCertificateFiles;
  /** A clientAuth certificate of the internal CA that names another workload: must be refused. */
  readonly notEdge: InternalCertificateFiles;
}

export function internalLayout(dir: string): InternalPki {
  const files = (name: string) => ({
    cert: join(dir, `internal-${name}.crt`),
    key: join(dir, `internal-${name}.key`),
  });
  const services = Object.fromEntries(INTERNAL_SERVICES.map((name) => [name, files(name)])) as Record<
    InternalService,
    InternalCertificateFiles
  >;
  return { ca: files('ca'), services, edge: files('edge'), notEdge: files('not-edge') };
}

/** A clientAuth certificate naming one internal workload (CN and DNS SAN). */
export function issueWorkloadClientCertificate(
  ca: CertificateAuthority,
  name: string,
  options: { readonly uris?: readonly string[] } = {},
): Promise<IssuedCertificate> {
  // The SAN extension written here rather than by issueLeaf, which knows DNS and IP names only.
  const names = [
    { type: 'dns' as const, value: name },
    ...(options.uris ?? []).map((value) => ({ type: 'url' as const, value })),
  ];
  return issueLeaf(ca, {
    subject: new x509.Name([{ O: ['PSD2 Demo Bank'] }, { CN: [name] }]),
    extendedKeyUsages: [CLIENT_AUTH],
    extra: [new x509.SubjectAlternativeNameExtension(names)],
  });
}

/** A service's server certificate (serverAuth only: it can never pass for the edge). */
export function issueInternalServerCertificate(
  ca: CertificateAuthority,
  service: string,
): Promise<IssuedCertificate> {
  return issueLeaf(ca, {
    subject: new x509.Name([{ O: ['PSD2 Demo Bank'] }, { CN: [service] }]),
    dnsNames: [service, 'localhost'],
    ipAddresses: ['127.0.0.1'],
    extendedKeyUsages: [SERVER_AUTH],
  });
}

export type IssuedInternalPki = {
  readonly ca: CertificateAuthority;
  readonly services: Readonly<Record<InternalService, IssuedCertificate>>;
  readonly edge: IssuedCertificate;
  readonly notEdge: IssuedCertificate;
};

export async function issueInternalPki(): Promise<IssuedInternalPki> {
  const ca = await createCertificateAuthority({
    commonName: 'PSD2 Demo Internal CA',
    organizationName: 'PSD2 Demo Bank',
  });
  const services = {} as Record<InternalService, IssuedCertificate>;
  for (const name of INTERNAL_SERVICES) services[name] = await issueInternalServerCertificate(ca, name);
  return {
    ca,
    services,
    edge: await issueWorkloadClientCertificate(ca, EDGE_PEER_NAME),
    notEdge: await issueWorkloadClientCertificate(ca, 'psd2-batch'),
  };
}
