import { CertificateError } from './errors.js';
import { memoize } from './memoize.js';
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

function parseForwardedCertificate(header: string): Parsed | undefined {
  try {
    const pem = certificateFromXfcc(header);
    return pem === undefined ? undefined : { identity: parseQwac(derFromPem(pem)) };
  } catch (error) {
    if (!(error instanceof CertificateError)) throw error;
    return { error };
  }
}

/**
 * The hot path: trusted-proxy check, then the XFCC parsing and ASN.1 work once per distinct header.
 * The edge writes the same header, byte for byte, for every request made with one certificate, so the
 * header itself is the cache key: a hit costs a string hash instead of URL-decoding kilobytes of PEM,
 * base64 and SHA-256 per request. Results (refusals included) are cached; the validity period is
 * checked on every call, because a cached certificate can expire while it sits in the cache.
 */
export function createClientCertificateResolver(
  options: ClientCertificateResolverOptions = {},
): ClientCertificateResolver {
  const isTrustedProxy = createTrustedProxyCheck(options.trustedProxies ?? DEFAULT_TRUSTED_PROXIES);
  const parse = memoize(parseForwardedCertificate, options.cacheSize ?? 1000);
  const now = options.now ?? (() => new Date());

  return {
    resolve(request) {
      const header = forwardedClientCertificate(request, isTrustedProxy);
      if (header === undefined) return undefined;
      const parsed = parse(header);
      if (parsed === undefined) return undefined;
      if ('error' in parsed) throw parsed.error;
      checkValidity(parsed.identity, now());
      return parsed.identity;
    },
  };
}
