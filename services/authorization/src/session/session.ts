import { DEPENDENCY_UNAVAILABLE } from '@psd2/oauth-errors';
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
  readonly csrf: string;
  readonly flow: Flow;
  readonly lang: Lang;
  readonly request: PendingRequest;
  readonly client: ClientSnapshot;
  readonly stage: Stage;
  /** The PSU once identified (bank: after the password; the code step still has to pass). */
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
 * Sessions with a sliding idle expiry: every read pushes the expiry back by the idle time, and a
 * session not touched for that long is gone.
 */
export interface SessionStore {
  create(data: SessionData): Promise<string>;
  /** The session, its expiry pushed back; undefined when unknown or expired. */
  load(id: string): Promise<SessionData | undefined>;
  /** Replaces the data of a live session; does nothing if it expired meanwhile. */
  save(id: string, data: SessionData): Promise<void>;
  destroy(id: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
