import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenStoreUnavailableError } from './errors.js';
import type { TokenStore } from './store.js';

/*
 * The embedded default shared between processes. `pnpm start` without REDIS_URL runs one in-process
 * store inside the launcher and serves it on loopback; every service reaches it through this client,
 * so a code written by the authorization service is redeemable at the token service, as with Redis.
 * Each call runs to completion on the host's single thread, which keeps redemption and rotation
 * atomic. Development only: production uses Redis.
 */

const METHODS = [
  'createGrant',
  'findGrant',
  'revokeGrant',
  'listGrantsOfSubject',
  'recordGrantUse',
  'lastUsedOf',
  'saveAuthorizationCode',
  'peekAuthorizationCode',
  'redeemAuthorizationCode',
  'saveAccessToken',
  'findAccessToken',
  'findAccessTokenByHash',
  'revokeAccessToken',
  'saveRefreshToken',
  'lookupRefreshToken',
  'rotateRefreshToken',
  'revokeClient',
  'restoreClient',
  'suspendClient',
  'reinstateClient',
  'createPaymentRequest',
  'findPaymentRequest',
  'decidePaymentRequest',
  'bindPaymentToken',
  'completePaymentRequest',
  'savePushedRequest',
  'usePushedRequest',
  'ping',
] as const satisfies readonly (keyof TokenStore)[];
type Method = (typeof METHODS)[number];

function isMethod(name: string): name is Method {
  return (METHODS as readonly string[]).includes(name);
}

const MAX_BODY_BYTES = 64 * 1024;

export interface TokenStoreHost {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `store` on loopback to holders of `secret`. */
export async function hostTokenStore(
  store: TokenStore,
  options: { secret: string; port?: number },
): Promise<TokenStoreHost> {
  const expected = Buffer.from(`Bearer ${options.secret}`);
  const server: Server = createServer((req, res) => {
    const presented = Buffer.from(req.headers.authorization ?? '');
    const method = (req.url ?? '').replace(/^\//, '');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      res.writeHead(401).end();
      return;
    }
    if (req.method !== 'POST' || !isMethod(method)) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      void (async () => {
        try {
          const args = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[];
          const call = store[method] as (...parameters: unknown[]) => Promise<unknown>;
          const result = await call.apply(store, args);
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ result: result ?? null }));
        } catch (error) {
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: String(error) }));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A TokenStore whose calls go to a `hostTokenStore` on this machine. */
export function createRemoteTokenStore(options: {
  url: string;
  secret: string;
  timeoutMs?: number;
}): TokenStore {
  const call = async (method: Method, args: unknown[]): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`${options.url}/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(args),
        signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
      });
    } catch (error) {
      throw new TokenStoreUnavailableError(error);
    }
    const body = (await response.json().catch(() => ({}))) as { result?: unknown; error?: string };
    if (!response.ok)
      throw new Error(`token store host refused ${method}: ${response.status} ${body.error ?? ''}`);
    return body.result === null ? undefined : body.result;
  };
  const remote = Object.fromEntries(
    METHODS.map((method) => [method, (...args: unknown[]) => call(method, args)]),
  );
  return { ...(remote as unknown as Omit<TokenStore, 'close'>), close: async () => {} };
}
