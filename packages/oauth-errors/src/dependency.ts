/*
 * The one rule that decides whether a failure is "a dependency is unavailable" (the client should retry:
 * 503 temporarily_unavailable) or "a bug" (500 server_error, an alert). Every service used to keep its
 * own instanceof list, and each list missed something different: a Redis that answered OOM or READONLY,
 * a PostgreSQL that was shutting down, a registry deadline. One function, used by the one serializer
 * (toOAuthError), the authorization pages' error handler and every caller that must choose, keeps the
 * answer the same everywhere.
 *
 * It knows, anywhere along an error's `cause` chain:
 * - errors branded with DEPENDENCY_UNAVAILABLE (our own wrappers: registry unavailable or past its
 *   deadline, token and session store unavailable) and TemporarilyUnavailableError;
 * - Redis replies that mean the server cannot serve now (OOM, READONLY, LOADING, MASTERDOWN, BUSY,
 *   TRYAGAIN, CLUSTERDOWN, NOREPLICAS), and ioredis's own "connection closed", "command timed out" and
 *   retries-exhausted errors;
 * - Node socket errors (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, EHOSTUNREACH, ENETUNREACH,
 *   ENOTFOUND, EAI_AGAIN);
 * - PostgreSQL SQLSTATEs that clear up without the caller changing anything: class 08 (connection
 *   exception), class 53 (insufficient resources), 57P01-57P03 (shutdown, cannot connect now), 57014
 *   (cancelled by statement_timeout), and node-postgres's pool and connection messages, which carry no
 *   code.
 * Anything else is a bug, on purpose: guessing "unavailable" for an unknown error would hide it behind
 * retries.
 */

import { TemporarilyUnavailableError } from './errors.js';

/** Set (to true) on an error class whose instances mean "a dependency is unavailable". */
export const DEPENDENCY_UNAVAILABLE: unique symbol = Symbol.for('@psd2/dependency-unavailable');

const REDIS_UNAVAILABLE_REPLIES = [
  'OOM',
  'READONLY',
  'LOADING',
  'MASTERDOWN',
  'BUSY',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'NOREPLICAS',
  // Redis Cluster: a redirection the client could not follow (the slot's master is down or moving).
  'MOVED',
  'ASK',
] as const;

const REDIS_UNAVAILABLE_REPLY = new RegExp(`^(?:${REDIS_UNAVAILABLE_REPLIES.join('|')})\\b`);

// ioredis: the connection went away, the command outlived commandTimeout, or its retries ran out; and
// a Redis Cluster client with no slot map yet, no reachable node, or slots still moving after a failover.
const REDIS_CLIENT_MESSAGES =
  /^(?:Connection is closed|Command timed out|Stream isn't writeable|Cluster isn't ready|None of startup nodes is available|Failed to refresh slots cache|Too many Cluster redirections|Cluster is disconnected|Node is disconnected)/;

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// node-postgres reports these as plain Errors without a code.
const POSTGRES_CLIENT_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection ended unexpectedly|client has encountered a connection error|cannot use a pool after calling end|client was closed/i;

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** How far the `cause` chain is followed; wrappers are a few levels deep, never this many. */
const MAX_CAUSE_DEPTH = 8;

function* causes(error: unknown): Generator<unknown> {
  let current = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current !== undefined && current !== null; depth++) {
    yield current;
    current = typeof current === 'object' ? Reflect.get(current, 'cause') : undefined;
  }
}

function stringProperty(value: unknown, name: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const property: unknown = Reflect.get(value, name);
  return typeof property === 'string' ? property : undefined;
}

/** A PostgreSQL SQLSTATE that says the server cannot serve now, not that the query is wrong. */
export function isUnavailableSqlState(sqlState: string): boolean {
  return (
    sqlState.startsWith('08') ||
    sqlState.startsWith('53') ||
    ['57P01', '57P02', '57P03', '57014'].includes(sqlState)
  );
}

function isUnavailableOne(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (Reflect.get(error, DEPENDENCY_UNAVAILABLE) === true) return true;
  if (error instanceof TemporarilyUnavailableError) return true;
  const name = stringProperty(error, 'name');
  const message = stringProperty(error, 'message') ?? '';
  // ioredis (redis-errors): the reply's first word is Redis's error code.
  if (name === 'ReplyError') return REDIS_UNAVAILABLE_REPLY.test(message);
  if (name === 'MaxRetriesPerRequestError') return true;
  const code = stringProperty(error, 'code');
  if (code !== undefined) {
    if (NETWORK_ERROR_CODES.has(code)) return true;
    if (SQLSTATE.test(code) && isUnavailableSqlState(code)) return true;
  }
  return REDIS_CLIENT_MESSAGES.test(message) || POSTGRES_CLIENT_MESSAGES.test(message);
}

/** True when `error`, or anything along its `cause` chain, means a dependency cannot serve right now. */
export function isDependencyUnavailable(error: unknown): boolean {
  for (const candidate of causes(error)) {
    if (isUnavailableOne(candidate)) return true;
  }
  return false;
}
