import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyLike,
  type KeyObject,
  type SigningOptions,
  sign,
  verify,
} from 'node:crypto';
import type { HashAlgorithm, SignatureAlgorithm } from 'xml-crypto';

/*
 * The XML-DSig algorithms a trusted list may use, and only those: xml-crypto's defaults include SHA-1
 * (RFC 6931 §2.1.2, §2.3.1 deprecate it; a collision is practical). Trusted lists in the wild are signed with
 * RSA (PKCS#1 v1.5 or PSS) or ECDSA, which xml-crypto lacks, so every accepted algorithm is defined here on
 * Node's crypto, one table a reviewer can read.
 */

type SignatureAlgorithmClass = new () => SignatureAlgorithm;
type HashAlgorithmClass = new () => HashAlgorithm;

interface SignatureScheme {
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly kind: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa';
}

const SIGNATURE_SCHEMES: Record<string, SignatureScheme> = {
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': { hash: 'sha256', kind: 'rsa-pkcs1' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': { hash: 'sha384', kind: 'rsa-pkcs1' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': { hash: 'sha512', kind: 'rsa-pkcs1' },
  'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1': { hash: 'sha256', kind: 'rsa-pss' },
  'http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1': { hash: 'sha384', kind: 'rsa-pss' },
  'http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1': { hash: 'sha512', kind: 'rsa-pss' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': { hash: 'sha256', kind: 'ecdsa' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': { hash: 'sha384', kind: 'ecdsa' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512': { hash: 'sha512', kind: 'ecdsa' },
};

const DIGESTS: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

const HASH_LENGTH = { sha256: 32, sha384: 48, sha512: 64 } as const;

function keyOptions(scheme: SignatureScheme, key: KeyObject): SigningOptions & { key: KeyObject } {
  switch (scheme.kind) {
    case 'rsa-pkcs1':
      return { key, padding: constants.RSA_PKCS1_PADDING };
    case 'rsa-pss':
      // RFC 6931 §2.3.10: the salt is as long as the digest unless parameters say otherwise.
      return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_LENGTH[scheme.hash] };
    case 'ecdsa':
      // XML-DSig carries ECDSA's r and s concatenated (RFC 4050 §3.3), not DER.
      return { key, dsaEncoding: 'ieee-p1363' as const };
  }
}

function asKeyObject(key: KeyLike, create: (key: string | Buffer) => KeyObject): KeyObject {
  return typeof key === 'string' || Buffer.isBuffer(key) ? create(key) : key;
}

function signatureAlgorithmClass(uri: string, scheme: SignatureScheme): SignatureAlgorithmClass {
  class ListSignatureAlgorithm {
    getAlgorithmName(): string {
      return uri;
    }
    getSignature(signedInfo: string | Buffer, privateKey: KeyLike): string {
      return sign(
        scheme.hash,
        Buffer.from(signedInfo),
        keyOptions(scheme, asKeyObject(privateKey, createPrivateKey)),
      ).toString('base64');
    }
    verifySignature(material: string, key: KeyLike, signatureValue: string): boolean {
      try {
        return verify(
          scheme.hash,
          Buffer.from(material),
          keyOptions(scheme, asKeyObject(key, createPublicKey)),
          Buffer.from(signatureValue, 'base64'),
        );
      } catch {
        // A key of the wrong type for the algorithm (an EC key for rsa-sha256...) is a failed signature.
        return false;
      }
    }
  }
  return ListSignatureAlgorithm as unknown as SignatureAlgorithmClass;
}

function hashAlgorithmClass(uri: string, hash: string): HashAlgorithmClass {
  return class ListHashAlgorithm {
    getAlgorithmName(): string {
      return uri;
    }
    getHash(xml: string): string {
      return createHash(hash).update(xml, 'utf8').digest('base64');
    }
  };
}

export const ACCEPTED_SIGNATURE_ALGORITHMS: Record<string, SignatureAlgorithmClass> = Object.fromEntries(
  Object.entries(SIGNATURE_SCHEMES).map(([uri, scheme]) => [uri, signatureAlgorithmClass(uri, scheme)]),
);

export const ACCEPTED_DIGEST_ALGORITHMS: Record<string, HashAlgorithmClass> = Object.fromEntries(
  Object.entries(DIGESTS).map(([uri, hash]) => [uri, hashAlgorithmClass(uri, hash)]),
);
