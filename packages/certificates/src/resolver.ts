import { createHash } from 'node:crypto';
import { CertificateError } from './errors.js';
import { LruCache } from './lru.js';
import { derFromPem } from './pem.js';
import { checkValidity, parseQwac, type QwacIdentity } from './qwac.js';
import {
  createTrustedProxyCheck,
  DEFAULT_TRUSTED_PROXIES,
  type ForwardedRequest,
  forwardedClientCertificate,
} from './trusted-proxy.js';
import { certificateFromXfcc } from './xfcc.js';

export interface ClientCertificateResolverOptions {
  /** Addresses or CIDR ranges of the edge; default loopback. */
  readonly trustedProxies?: readonly string[];
  /** Distinct certificates remembered; a few thousand TPPs at most in a real deployment. */
  readonly cacheSize?: number;
  /** The clock validity is checked against; injectable for tests. */
  readonly now?: () => Date;
}

export interface ClientCertificateResolver {
  /**
   * The verified identity of the TPP behind a request: undefined when no certificate was presented
   * (or the header came from an untrusted peer); throws CertificateError when one was presented and
   * must be refused.
   */
  resolve(request: ForwardedRequest): QwacIdentity | undefined;
}

type Parsed = { readonly identity: QwacIdentity } | { readonly error: CertificateError };

/**
 * The hot path: trusted-proxy check, XFCC parsing, then the ASN.1 work once per distinct certificate.
 * Results (refusals included) are cached by the DER's SHA-256; the validity period is checked on every
 * call, because a cached certificate can expire while it sits in the cache.
 */
export function createClientCertificateResolver(
  options: ClientCertificateResolverOptions = {},
): ClientCertificateResolver {
  const isTrustedProxy = createTrustedProxyCheck(options.trustedProxies ?? DEFAULT_TRUSTED_PROXIES);
  const cache = new LruCache<string, Parsed>(options.cacheSize ?? 1000);
  const now = options.now ?? (() => new Date());

  return {
    resolve(request) {
      const pem = certificateFromXfcc(forwardedClientCertificate(request, isTrustedProxy));
      if (pem === undefined) return undefined;
      const der = derFromPem(pem);
      const key = createHash('sha256').update(der).digest('hex');
      let parsed = cache.get(key);
      if (parsed === undefined) {
        try {
          parsed = { identity: parseQwac(der) };
        } catch (error) {
          if (!(error instanceof CertificateError)) throw error;
          parsed = { error };
        }
        cache.set(key, parsed);
      }
      if ('error' in parsed) throw parsed.error;
      checkValidity(parsed.identity, now());
      return parsed.identity;
    },
  };
}
