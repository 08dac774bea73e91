import { createHash, randomBytes } from 'node:crypto';
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  type RedisConnection,
} from '@psd2/token-store';
import {
  deserialise,
  idleSecondsOf,
  type SessionLifetimes,
  type SessionStore,
  SessionStoreUnavailableError,
  type StoredSession,
  serialise,
} from './session.js';

/** 256 random bits: the cookie value. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** Sessions are keyed by the id's hash: a dump of the store gives nobody a usable cookie. */
function keyOf(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url');
}

const SESSION_ID = /^[\w-]{43}$/;

function parse(raw: string | null | undefined): StoredSession | undefined {
  return raw === null || raw === undefined ? undefined : deserialise(raw);
}

export function createMemorySessionStore(
  options: SessionLifetimes & { readonly maxEntries?: number; readonly now?: () => number },
): SessionStore {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { data: StoredSession; idleMs: number; expiresAt: number }>();
  const entry = (data: StoredSession) => {
    serialise(data);
    const idleMs = idleSecondsOf(data, options) * 1000;
    return { data, idleMs, expiresAt: now() + idleMs };
  };
  const live = (key: string) => {
    const found = entries.get(key);
    if (found === undefined) return undefined;
    if (found.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return found;
  };
  return {
    async create(data) {
      const fresh = entry(data);
      // Bounded memory: the oldest session goes first (a Map iterates in insertion order).
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      const id = newSessionId();
      entries.set(keyOf(id), fresh);
      return id;
    },
    async load(id) {
      if (!SESSION_ID.test(id)) return undefined;
      const found = live(keyOf(id));
      if (found === undefined) return undefined;
      found.expiresAt = now() + found.idleMs;
      return found.data;
    },
    async save(id, data) {
      const key = keyOf(id);
      const fresh = entry(data);
      if (live(key) !== undefined) entries.set(key, fresh);
    },
    async take(id) {
      if (!SESSION_ID.test(id)) return undefined;
      const key = keyOf(id);
      const found = live(key);
      entries.delete(key);
      return found?.data;
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

/*
 * Redis: one hash per session, `<prefix>authz:session:<sha256(id)>` = { d: JSON, t: idle seconds }, the
 * idle time as TTL. Each operation is one script, so reading and sliding the expiry, or replacing a
 * session only while it lives (never reviving one that expired between a read and a write), or reading
 * and deleting, happen atomically.
 */
const LOAD = `
local found = redis.call('HMGET', KEYS[1], 'd', 't')
if not found[1] then return false end
redis.call('EXPIRE', KEYS[1], found[2])
return found[1]
`;
const WRITE = `
if ARGV[3] == 'live' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'd', ARGV[1], 't', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`;
const TAKE = `
local data = redis.call('HGET', KEYS[1], 'd')
redis.call('DEL', KEYS[1])
return data
`;

type SessionRedis = RedisClient & {
  sessionLoad(key: string): Promise<string | null>;
  sessionWrite(key: string, json: string, ttl: number, when: 'always' | 'live'): Promise<number>;
  sessionTake(key: string): Promise<string | null>;
};

/**
 * Redis sessions, shared by every replica. Redis should run with `maxmemory-policy noeviction`: an
 * evicting policy would silently drop sessions (and codes and grants) under memory pressure, while
 * noeviction refuses the write, which the pages answer with the 503 page.
 */
export function createRedisSessionStore(
  options: SessionLifetimes &
    RedisConnection & {
      readonly keyPrefix: string;
      readonly commandTimeoutMs?: number;
    },
): SessionStore {
  // Every session is one key touched by one-key scripts: the same on a Redis Cluster.
  const redis = createRedisClient(options, {
    keyPrefix: `${options.keyPrefix}authz:session:`,
    commandTimeoutMs: options.commandTimeoutMs ?? 1000,
  }) as SessionRedis;
  redis.defineCommand('sessionLoad', { numberOfKeys: 1, lua: LOAD });
  redis.defineCommand('sessionWrite', { numberOfKeys: 1, lua: WRITE });
  redis.defineCommand('sessionTake', { numberOfKeys: 1, lua: TAKE });
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw new SessionStoreUnavailableError(error);
    }
  };
  return {
    async create(data) {
      const json = serialise(data);
      return run(async () => {
        const id = newSessionId();
        await redis.sessionWrite(keyOf(id), json, idleSecondsOf(data, options), 'always');
        return id;
      });
    },
    load: (id) =>
      SESSION_ID.test(id)
        ? run(async () => parse(await redis.sessionLoad(keyOf(id))))
        : Promise.resolve(undefined),
    async save(id, data) {
      const json = serialise(data);
      await run(() => redis.sessionWrite(keyOf(id), json, idleSecondsOf(data, options), 'live'));
    },
    take: (id) =>
      SESSION_ID.test(id)
        ? run(async () => parse(await redis.sessionTake(keyOf(id))))
        : Promise.resolve(undefined),
    destroy: (id) =>
      run(async () => {
        await redis.del(keyOf(id));
      }),
    ping: () =>
      run(async () => {
        await redis.ping();
      }),
    async close() {
      await closeRedisClient(redis);
    },
  };
}
