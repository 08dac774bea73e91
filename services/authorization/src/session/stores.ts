import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { type SessionData, type SessionStore, SessionStoreUnavailableError } from './session.js';

/** 256 random bits: the cookie value. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** Sessions are keyed by the id's hash: a dump of the store gives nobody a usable cookie. */
function keyOf(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url');
}

const SESSION_ID = /^[\w-]{43}$/;

function parse(raw: string | null): SessionData | undefined {
  if (raw === null) return undefined;
  const data = JSON.parse(raw) as SessionData;
  return data.version === 1 ? data : undefined;
}

export function createMemorySessionStore(options: {
  readonly idleSeconds: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}): SessionStore {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const idleMs = options.idleSeconds * 1000;
  const entries = new Map<string, { data: SessionData; expiresAt: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    async create(data) {
      // Bounded memory: the oldest session goes first (a Map iterates in insertion order).
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      const id = newSessionId();
      entries.set(keyOf(id), { data, expiresAt: now() + idleMs });
      return id;
    },
    async load(id) {
      if (!SESSION_ID.test(id)) return undefined;
      const entry = live(keyOf(id));
      if (entry === undefined) return undefined;
      entry.expiresAt = now() + idleMs;
      return entry.data;
    },
    async save(id, data) {
      const key = keyOf(id);
      if (live(key) !== undefined) entries.set(key, { data, expiresAt: now() + idleMs });
    },
    async destroy(id) {
      entries.delete(keyOf(id));
    },
    async ping() {},
    async close() {
      entries.clear();
    },
  };
}

/**
 * Redis sessions, shared by every replica: `<prefix>authz:s:<sha256(id)>`, a JSON value with the idle
 * time as TTL. GETEX reads and slides the expiry in one command; SET … XX never revives a session
 * that expired between a read and a write.
 */
export function createRedisSessionStore(options: {
  readonly url: string;
  readonly keyPrefix: string;
  readonly idleSeconds: number;
  readonly commandTimeoutMs?: number;
}): SessionStore {
  const redis = new Redis(options.url, {
    keyPrefix: `${options.keyPrefix}authz:s:`,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    lazyConnect: false,
  });
  // Connection errors surface on the commands; without a listener ioredis would log them unhandled.
  redis.on('error', () => undefined);
  const ttl = options.idleSeconds;
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw new SessionStoreUnavailableError(error);
    }
  };
  return {
    create: (data) =>
      run(async () => {
        const id = newSessionId();
        await redis.set(keyOf(id), JSON.stringify(data), 'EX', ttl);
        return id;
      }),
    load: (id) =>
      SESSION_ID.test(id)
        ? run(async () => parse(await redis.getex(keyOf(id), 'EX', ttl)))
        : Promise.resolve(undefined),
    save: (id, data) =>
      run(async () => {
        await redis.set(keyOf(id), JSON.stringify(data), 'EX', ttl, 'XX');
      }),
    destroy: (id) =>
      run(async () => {
        await redis.del(keyOf(id));
      }),
    ping: () =>
      run(async () => {
        await redis.ping();
      }),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
