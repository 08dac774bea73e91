import { constants, type KeyObject, verify } from 'node:crypto';
import { childrenOf, objectIdentifier, type ParsedCrl, readTlv } from './crl-der.js';

/*
 * The CRL's signature checked with Node's crypto (OpenSSL) against the CA's public key, for the
 * algorithms QTSPs use: ECDSA and RSA PKCS#1 v1.5 with SHA-2, RSASSA-PSS, Ed25519. SHA-1 is refused
 * (ETSI TS 119 312 retired it for signatures), as is any other algorithm: the CRL is then not
 * accepted and the one in force stays.
 */

const HASHES: Readonly<Record<string, string>> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};
const DIGESTS: Readonly<Record<string, string>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const ED25519 = '1.3.101.112';

/** RSASSA-PSS-params (RFC 4055): [0] hash algorithm, [2] salt length; SHA-1 defaults are refused. */
function pssParameters(algorithm: Buffer): { hash: string; saltLength: number } | undefined {
  const [, parameters] = childrenOf(algorithm, readTlv(algorithm, 0));
  if (parameters === undefined) return undefined;
  let hash: string | undefined;
  let saltLength = 20;
  for (const field of childrenOf(algorithm, parameters)) {
    const inner = readTlv(algorithm, field.start, field.end);
    if (field.tag === 0xa0) {
      const oid = childrenOf(algorithm, inner)[0];
      hash = oid === undefined ? undefined : DIGESTS[objectIdentifier(algorithm, oid)];
    }
    if (field.tag === 0xa2)
      saltLength = Number.parseInt(algorithm.subarray(inner.start, inner.end).toString('hex'), 16);
  }
  return hash === undefined ? undefined : { hash, saltLength };
}

/** Undefined when the signature verifies; otherwise why not. */
export function signatureProblem(crl: ParsedCrl, publicKey: KeyObject): string | undefined {
  const algorithm = crl.signatureAlgorithm;
  const oidTlv = childrenOf(algorithm, readTlv(algorithm, 0))[0];
  const oid = oidTlv === undefined ? '' : objectIdentifier(algorithm, oidTlv);
  let valid: boolean;
  try {
    const hash = HASHES[oid];
    if (hash !== undefined) {
      valid = verify(hash, crl.tbs, { key: publicKey, dsaEncoding: 'der' }, crl.signature);
    } else if (oid === ED25519) {
      valid = verify(null, crl.tbs, publicKey, crl.signature);
    } else if (oid === RSASSA_PSS) {
      const pss = pssParameters(algorithm);
      if (pss === undefined) return 'is signed with RSASSA-PSS over SHA-1 or unreadable parameters';
      const key = { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength };
      valid = verify(pss.hash, crl.tbs, key, crl.signature);
    } else {
      return `is signed with an algorithm not accepted (${oid || 'unreadable'})`;
    }
  } catch {
    // A key of another type than the algorithm (an RSA CA, an ECDSA signature): not this CA's.
    valid = false;
  }
  return valid ? undefined : "has a signature this CA's key does not verify";
}
