import { DEPENDENCY_UNAVAILABLE } from '@psd2/oauth-errors';
import type { FirstFactor } from '@psd2/psu-directory';
import type { Lang } from '../html/messages.js';

/*
 * What the server keeps between the pages of one authorization request. The browser holds only an
 * unguessable id in a cookie; everything else stays here.
 */

/** The validated RFC 6749 §4.1.1 request, as the consent will be bound to it. */
export interface PendingRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  /** Canonical form (formatScope). */
  readonly scope: string;
  readonly state?: string;
  /** RFC 7636 S256 challenge; absent only when PKCE is not required. */
  readonly codeChallenge?: string;
}

export interface ClientSnapshot {
  readonly name: string;
  readonly organizationId: string;
  readonly organizationName: string;
  readonly ncaId: string;
}

export type Flow = 'sandbox' | 'bank';

/** Bank flow: the password step, then the one-time code, then the consent. */
export type Stage = 'password' | 'otp' | 'consent';

export interface SessionData {
  readonly version: 1;
  /**
   * Random, fixed for the whole authorization request while the session id changes (after each code
   * step): what the per-session throttle counts.
   */
  readonly flowId: string;
  readonly csrf: string;
  readonly flow: Flow;
  readonly lang: Lang;
  readonly request: PendingRequest;
  readonly client: ClientSnapshot;
  readonly stage: Stage;
  /** Bank, stage `otp`: the password step's outcome, which only the code step reveals (as one answer). */
  readonly signIn?: FirstFactor;
  /** The PSU once authenticated (bank: after both factors). */
  readonly psu?: { readonly psuId: string; readonly displayName: string };
  /** When SCA completed (Unix seconds): the grant's authTime. */
  readonly authTime?: number;
}

export class SessionStoreUnavailableError extends Error {
  readonly [DEPENDENCY_UNAVAILABLE] = true;
  constructor(cause: unknown) {
    super('session store unavailable', { cause });
    this.name = 'SessionStoreUnavailableError';
  }
}

/**
 * What one session may hold. A validated request is far below it (state ≤ 2048 characters, the client
 * and redirect URI from the registry); the bound keeps an unforeseen field from turning anonymous page
 * loads into a way of filling Redis.
 */
export const MAX_SESSION_BYTES = 16 * 1024;

/** A session that would not fit the store's bound (MAX_SESSION_BYTES): the request was too big. */
export class SessionTooLargeError extends Error {
  constructor(bytes: number) {
    super(`session of ${bytes} bytes exceeds ${MAX_SESSION_BYTES}`);
    this.name = 'SessionTooLargeError';
  }
}

export interface SessionLifetimes {
  /** Idle time of an authenticated session (PSD2 RTS Art. 4(3)(d): at most five minutes). */
  readonly idleSeconds: number;
  /** Idle time before sign-in completes: anonymous page loads must not pile up (capped by idleSeconds). */
  readonly anonymousSeconds: number;
}

/** The idle time a session gets: short while anonymous, the RTS idle time once the PSU is authenticated. */
export function idleSecondsOf(data: SessionData, lifetimes: SessionLifetimes): number {
  return data.authTime === undefined
    ? Math.min(lifetimes.anonymousSeconds, lifetimes.idleSeconds)
    : lifetimes.idleSeconds;
}

/** The stored form of a session, refused beyond MAX_SESSION_BYTES. */
export function serialise(data: SessionData): string {
  const json = JSON.stringify(data);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_SESSION_BYTES) throw new SessionTooLargeError(bytes);
  return json;
}

/**
 * Sessions with a sliding idle expiry: every read pushes the expiry back by the session's idle time
 * (idleSecondsOf), and a session not touched for that long is gone.
 */
export interface SessionStore {
  /** Throws SessionTooLargeError beyond MAX_SESSION_BYTES. */
  create(data: SessionData): Promise<string>;
  /** The session, its expiry pushed back; undefined when unknown or expired. */
  load(id: string): Promise<SessionData | undefined>;
  /** Replaces the data of a live session; does nothing if it expired meanwhile. */
  save(id: string, data: SessionData): Promise<void>;
  /**
   * Reads and deletes in one step: of two concurrent calls, one gets the session and the other
   * undefined, so a step that must run once per session (a code check) cannot run twice.
   */
  take(id: string): Promise<SessionData | undefined>;
  destroy(id: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
