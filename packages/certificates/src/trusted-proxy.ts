import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { memoize } from './memoize.js';

/** Only the edge on the same machine, by default: services listen on 127.0.0.1 unless told otherwise. */
export const DEFAULT_TRUSTED_PROXIES: readonly string[] = ['127.0.0.1', '::1'];

/** `::ffff:127.0.0.1`, how a dual-stack socket reports an IPv4 peer, is that IPv4 address. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match?.[1] ?? address;
}

/**
 * Builds the "is this peer our edge?" check from addresses and CIDR ranges, e.g. `127.0.0.1`, `::1`,
 * `10.42.0.0/16` (the edge's pod network in Kubernetes). Throws on an entry it cannot read, so that
 * a typo in TRUSTED_PROXIES stops the service at start-up instead of silently trusting nobody.
 */
export function createTrustedProxyCheck(
  entries: readonly string[] = DEFAULT_TRUSTED_PROXIES,
): (remoteAddress: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix, ...rest] = entry.trim().split('/');
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 'ipv4' ? 32 : 128;
    if (
      family === undefined ||
      rest.length > 0 ||
      (bits !== undefined && (!/^\d+$/.test(prefix ?? '') || bits > maxBits))
    ) {
      throw new Error(`not an IP address or CIDR range: ${entry}`);
    }
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, bits, family);
  }
  const check = (remoteAddress: string): boolean => {
    const address = unmapped(remoteAddress);
    if (isIPv4(address)) return list.check(address, 'ipv4');
    if (isIPv6(address)) return list.check(address, 'ipv6');
    return false;
  };
  // Every request asks, and the peers behind a service are a handful of edge addresses.
  const remembered = memoize(check, 1024);
  return (remoteAddress) => (remoteAddress === undefined ? false : remembered(remoteAddress));
}

export interface ForwardedRequest {
  /** The TCP peer (`req.socket.remoteAddress`): who actually sent the request. */
  readonly remoteAddress: string | undefined;
  /** The raw x-forwarded-client-cert header value(s). */
  readonly header: string | readonly string[] | undefined;
}

/**
 * The XFCC header if the request came from a trusted proxy; otherwise undefined, exactly as if the
 * client had presented no certificate. Anyone who can reach a service directly could write the header,
 * so only the edge's word counts.
 */
export function forwardedClientCertificate(
  request: ForwardedRequest,
  isTrustedProxy: (remoteAddress: string | undefined) => boolean,
): string | undefined {
  if (request.header === undefined || !isTrustedProxy(request.remoteAddress)) return undefined;
  // Repeated header lines are one list (RFC 9110 §5.3); parseXfcc then sees every element and refuses
  // the ambiguity instead of us picking one.
  return typeof request.header === 'string' ? request.header : request.header.join(',');
}
