import { join } from 'node:path';
import {
  type CertificateAuthority,
  CLIENT_AUTH,
  createCertificateAuthority,
  type IssuedCertificate,
  issueLeaf,
  issueServerCertificate,
} from './issue.js';
import { x509 } from './x509.js';

/*
 * The bank operators' PKI for the registry's admin API (issue 18): an operator CA, separate from the
 * QTSP CA so that no TPP certificate can ever act as an operator, which issues the operators' client
 * certificates and the admin server's certificate (so the CLI trusts the one CA file it is given).
 */

/** File pairs, as demo.ts names them. */
export interface OperatorCertificateFiles {
  readonly cert: string;
  readonly key: string;
}

export interface OperatorPki {
  /** The operator CA: the admin server's ADMIN_CLIENT_CA_FILE and the CLI's ADMIN_CA_FILE. */
  readonly ca: OperatorCertificateFiles;
  /** The admin server's certificate for localhost and 127.0.0.1 (ADMIN_TLS_CERT_FILE, ADMIN_TLS_KEY_FILE). */
  readonly server: OperatorCertificateFiles;
  /** An operator's client certificate (the CLI's ADMIN_CERT_FILE, ADMIN_KEY_FILE). */
  readonly operator: OperatorCertificateFiles;
  /** A well-formed operator certificate from a CA the admin server does not trust. */
  readonly untrustedOperator: OperatorCertificateFiles;
}

/** The demo operator's identity, as the audit trail records it. */
export const DEMO_OPERATOR = { commonName: 'Demo Operator', organizationName: 'PSD2 Demo Bank Operations' };

export function operatorLayout(dir: string): OperatorPki {
  const files = (name: string) => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) });
  return {
    ca: files('operator-ca'),
    server: files('admin-server'),
    operator: files('operator'),
    untrustedOperator: files('operator-untrusted'),
  };
}

/** A client certificate (clientAuth only) naming one bank operator. */
export function issueOperatorCertificate(
  ca: CertificateAuthority,
  options: { readonly commonName: string; readonly organizationName: string },
): Promise<IssuedCertificate> {
  return issueLeaf(ca, {
    subject: new x509.Name([{ C: ['FR'] }, { O: [options.organizationName] }, { CN: [options.commonName] }]),
    extendedKeyUsages: [CLIENT_AUTH],
  });
}

export type IssuedOperatorPki = Record<keyof OperatorPki, IssuedCertificate>;

/** Issues the operator PKI; `untrustedCa` signs the operator certificate nobody should accept. */
export async function issueOperatorPki(untrustedCa: CertificateAuthority): Promise<IssuedOperatorPki> {
  const ca = await createCertificateAuthority({
    commonName: 'PSD2 Demo Operator CA',
    organizationName: 'PSD2 Demo Bank Operations',
  });
  return {
    ca,
    server: await issueServerCertificate(ca),
    operator: await issueOperatorCertificate(ca, DEMO_OPERATOR),
    untrustedOperator: await issueOperatorCertificate(untrustedCa, {
      commonName: 'Rogue Operator',
      organizationName: DEMO_OPERATOR.organizationName,
    }),
  };
}
