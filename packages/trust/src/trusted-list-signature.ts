import { createHash, type X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { type Reference, SignedXml } from 'xml-crypto';
import { ACCEPTED_DIGEST_ALGORITHMS, ACCEPTED_SIGNATURE_ALGORITHMS } from './trusted-list-algorithms.js';
import { childElements, DSIG_NS, parseXml, TrustedListRefused, TSL_NS } from './trusted-list-xml.js';

/*
 * The enveloped XML-DSig core of a trusted list (XAdES-BES in practice; the XAdES properties are checked as
 * any other reference, not interpreted), verified with xml-crypto against signer certificates the operator
 * configured, or that a verified list of lists named. Against signature wrapping (the list's content moved
 * under a forged root), the covering reference must designate the root itself, and what is returned is the
 * canonical XML the signature covers, never the document as received.
 */

const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const EXCLUSIVE_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

export interface VerifiedList {
  /** The canonical XML of the whole list without its signature: the only text to read the list from. */
  readonly signedXml: string;
  readonly signer: X509Certificate;
}

export function verifyListSignature(
  xml: string,
  signers: readonly X509Certificate[],
  what: string,
  now: Date = new Date(),
): VerifiedList {
  const document = parseXml(xml, what);
  const root = document.documentElement;
  if (root === null || root.localName !== 'TrustServiceStatusList' || root.namespaceURI !== TSL_NS) {
    throw new TrustedListRefused(`${what} is not a TS 119 612 v2 TrustServiceStatusList`);
  }
  const signatures = Array.from(document.getElementsByTagNameNS(DSIG_NS, 'Signature'));
  if (signatures.length === 0) throw new TrustedListRefused(`${what} is not signed`);
  const signature = childElements(root, 'Signature', DSIG_NS)[0];
  if (signatures.length > 1 || signature === undefined) {
    throw new TrustedListRefused(`${what} must carry exactly one signature, enveloped in the list's root`);
  }
  const candidates = signersToTry(signature, signers, what, now);
  let lastFailure = 'no configured signer certificate is valid now';
  for (const signer of candidates) {
    const verifier = verifierFor(signer, signature, what, root.getAttribute('Id'));
    try {
      if (verifier.checkSignature(xml)) {
        return {
          signedXml: coveringReference(verifier.getReferences(), root.getAttribute('Id'), what),
          signer,
        };
      }
      lastFailure = 'a reference does not match the signed digest (the list was changed after signing)';
    } catch (error) {
      lastFailure = failureOf(error);
    }
  }
  throw new TrustedListRefused(`${what}: signature verification failed: ${lastFailure}`);
}

/**
 * The configured signers to verify with. A KeyInfo certificate only chooses among them: one that is not
 * configured is refused, never used.
 */
function signersToTry(
  signature: Element,
  signers: readonly X509Certificate[],
  what: string,
  now: Date,
): X509Certificate[] {
  const keyInfoCertificates = Array.from(signature.getElementsByTagNameNS(DSIG_NS, 'X509Certificate')).map(
    (element) => Buffer.from((element.textContent ?? '').replace(/\s+/g, ''), 'base64'),
  );
  const named =
    keyInfoCertificates.length === 0
      ? [...signers]
      : signers.filter((signer) => keyInfoCertificates.some((der) => der.equals(signer.raw)));
  if (named.length === 0) {
    const fingerprints = keyInfoCertificates.map((der) => sha256Hex(der)).join(', ');
    throw new TrustedListRefused(
      `${what} is signed by a certificate that is not a configured signer: ${fingerprints}`,
    );
  }
  const valid = named.filter((signer) => isValidAt(signer, now));
  if (valid.length === 0) {
    throw new TrustedListRefused(
      `${what} is signed by a signer certificate that is expired or not yet valid`,
    );
  }
  return valid;
}

function verifierFor(
  signer: X509Certificate,
  signature: Element,
  what: string,
  rootId: string | null,
): SignedXml {
  // getCertFromKeyInfo returning null: the key is the configured certificate's, whatever KeyInfo says.
  const verifier = new SignedXml({ publicCert: signer.publicKey, getCertFromKeyInfo: () => null });
  verifier.SignatureAlgorithms = ACCEPTED_SIGNATURE_ALGORITHMS;
  verifier.HashAlgorithms = ACCEPTED_DIGEST_ALGORITHMS;
  verifier.loadSignature(signature);
  const algorithm = verifier.signatureAlgorithm ?? '';
  if (ACCEPTED_SIGNATURE_ALGORITHMS[algorithm] === undefined) {
    throw new TrustedListRefused(
      `${what}: signature algorithm ${algorithm} is refused (SHA-1 and unknown ones)`,
    );
  }
  for (const reference of verifier.getReferences()) {
    if (ACCEPTED_DIGEST_ALGORITHMS[reference.digestAlgorithm] === undefined) {
      throw new TrustedListRefused(`${what}: digest algorithm ${reference.digestAlgorithm} is refused`);
    }
  }
  if (!verifier.getReferences().some((reference) => coversWholeList(reference, rootId))) {
    throw new TrustedListRefused(
      `${what}: no signed reference covers the whole list (URI "" or the root's Id, enveloped-signature ` +
        'then exclusive canonicalisation)',
    );
  }
  return verifier;
}

function coversWholeList(reference: Reference, rootId: string | null): boolean {
  const uri = reference.uri ?? '';
  const designatesRoot = uri === '' || (rootId !== null && rootId !== '' && uri === `#${rootId}`);
  return (
    designatesRoot &&
    reference.transforms.length === 2 &&
    reference.transforms[0] === ENVELOPED &&
    reference.transforms[1] === EXCLUSIVE_C14N
  );
}

function coveringReference(references: Reference[], rootId: string | null, what: string): string {
  const covering = references.find((reference) => coversWholeList(reference, rootId));
  if (covering?.signedReference === undefined) {
    throw new TrustedListRefused(`${what}: the signed content of the list could not be read`);
  }
  return covering.signedReference;
}

function failureOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // xml-crypto quotes the whole signature value: noise in an operator's log.
  if (message.startsWith('invalid signature: the signature value')) {
    return "the signature value does not verify with the signer certificate's key";
  }
  return message.split('\n')[0] ?? message;
}

export function isValidAt(certificate: X509Certificate, now: Date): boolean {
  return new Date(certificate.validFrom) <= now && now <= new Date(certificate.validTo);
}

export function sha256Hex(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}
