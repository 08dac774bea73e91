import { readFile } from 'node:fs/promises';
import type { UpstreamService } from '@psd2/edge-config';
import { Pool } from 'undici';
import type { CallDestination } from './edge-tracing.js';

/**
 * Idle connections to a service close before Node's default 5 s server keepAliveTimeout (so the edge
 * never sends on a connection the service is closing), as envoy.yaml's upstream `idle_timeout: 4s`.
 */
export const UPSTREAM_IDLE_TIMEOUT_MS = 4000;

/** A service's origin, its pool of keep-alive connections, and what the client span says about it. */
export interface Upstream extends CallDestination {
  readonly pool: Pool;
  /** The configured URL, for logs. */
  readonly href: string;
}

export interface Upstreams {
  of(service: UpstreamService): Upstream;
  /** Cuts the calls still under way rather than waiting: closing must not wait on a slow service. */
  destroy(): Promise<void>;
}

export interface UpstreamTimeouts {
  /** The route timeout: for the response to start, then between two pieces of its body. */
  readonly routeTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

/** UPSTREAM_TLS_CERT_FILE, UPSTREAM_TLS_KEY_FILE (the edge's client certificate), UPSTREAM_CA_FILE. */
export interface UpstreamTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/** What every TLS connection to a service presents and trusts, read once at start-up. */
export interface UpstreamTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
}

export async function readUpstreamTls(files: UpstreamTlsFiles): Promise<UpstreamTls> {
  const [cert, key, ca] = await Promise.all([
    readFile(files.certFile),
    readFile(files.keyFile),
    readFile(files.caFile),
  ]);
  return { cert, key, ca };
}

/**
 * One pool per service origin (services sharing an origin share it), connecting lazily. With `tls`,
 * an https:// service is called as Envoy's UpstreamTlsContext does: the edge's client certificate is
 * presented (the service believes x-forwarded-client-cert only then), and the service's certificate
 * must chain to the internal CA and name the URL's host (Node's checkServerIdentity: `token` in a
 * cluster, 127.0.0.1 on a laptop), which is also sent as SNI when it is a name.
 */
export function createUpstreams(
  urls: Readonly<Record<UpstreamService, URL>>,
  timeouts: UpstreamTimeouts,
  tls?: UpstreamTls,
): Upstreams {
  const pools = new Map<string, Pool>();
  const upstreamAt = (url: URL): Upstream => {
    let pool = pools.get(url.origin);
    if (pool === undefined) {
      pool = new Pool(url.origin, {
        connections: 128,
        // The service's Keep-Alive: timeout hint, less 2 s, wins when shorter.
        keepAliveTimeout: timeouts.idleTimeoutMs,
        keepAliveMaxTimeout: timeouts.idleTimeoutMs,
        headersTimeout: timeouts.routeTimeoutMs,
        bodyTimeout: timeouts.routeTimeoutMs,
        ...(tls === undefined || url.protocol !== 'https:'
          ? {}
          : { connect: { cert: tls.cert, key: tls.key, ca: tls.ca, rejectUnauthorized: true } }),
      });
      pools.set(url.origin, pool);
    }
    return {
      pool,
      href: url.href,
      origin: url.origin,
      hostname: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    };
  };
  const upstreams: Readonly<Record<UpstreamService, Upstream>> = {
    registration: upstreamAt(urls.registration),
    authorization: upstreamAt(urls.authorization),
    token: upstreamAt(urls.token),
    revocation: upstreamAt(urls.revocation),
  };
  return {
    of: (service) => upstreams[service],
    async destroy() {
      await Promise.all([...pools.values()].map((pool) => pool.destroy()));
    },
  };
}
