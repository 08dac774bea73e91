import {
  type CertificateAuthority,
  createCertificateAuthority,
  type IssuedCertificate,
  issueIntermediateAuthority,
  issueQwac,
  type QwacOptions,
} from './issue.js';

export interface ChainedQwac {
  /** The root to trust (the edge's client CA bundle); it allows `intermediates` CAs below it. */
  readonly root: CertificateAuthority;
  readonly intermediates: readonly CertificateAuthority[];
  readonly qwac: IssuedCertificate;
  /** What a TPP configures as its client certificate: the QWAC, then the intermediates, leaf first. */
  readonly chainPem: string;
}

/**
 * A QWAC issued under a chain of `intermediates` CAs, as some QTSPs issue them (and as a TPP sends it:
 * every intermediate in the TLS handshake), for tests of what the edge forwards.
 */
export async function issueQwacWithChain(
  intermediates: number,
  options: QwacOptions = {},
): Promise<ChainedQwac> {
  const root = await createCertificateAuthority({
    commonName: `PSD2 Test QTSP Root (${intermediates} intermediates)`,
    pathLength: intermediates,
  });
  const chain: CertificateAuthority[] = [];
  let issuer = root;
  for (let level = 1; level <= intermediates; level++) {
    issuer = await issueIntermediateAuthority(issuer, {
      commonName: `PSD2 Test QTSP Issuing CA ${level}`,
      pathLength: intermediates - level,
    });
    chain.push(issuer);
  }
  const qwac = await issueQwac(issuer, options);
  const chainPem = [qwac, ...[...chain].reverse()].map((certificate) => certificate.certificatePem).join('');
  return { root, intermediates: chain, qwac, chainPem };
}
