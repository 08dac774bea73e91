import { DEPENDENCY_UNAVAILABLE } from '@psd2/oauth-errors';
import type { PaymentInitiationDetail } from '@psd2/payment-details';
import type { FirstFactor, PsuIdentity } from '@psd2/psu-directory';
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
  /** Scope `pisp` only: the payment the PSU is asked to approve, as the store held it on arrival. */
  readonly payment?: PendingPayment;
}

/** A payment request (pushed, or registered by the payment API) that an authorization request carries. */
export interface PendingPayment {
  readonly paymentRequestId: string;
  readonly detail: PaymentInitiationDetail;
}

export interface ClientSnapshot {
  readonly name: string;
  readonly organizationId: string;
  readonly organizationName: string;
  readonly ncaId: string;
}

export type Flow = 'sandbox' | 'bank';

/**
 * What a session is for: an authorization request's flow, or the customer's consent page (issue 18),
 * which signs in by the same SCA but can never approve an authorization request, nor the reverse.
 */
export type SessionFlow = Flow | 'consents';

/**
 * The stored form's version. Sessions of another version (the untyped `stage` strings before 2) read
 * as absent: the PSU gets the expired-session page and starts again, as after the idle time.
 */
export const SESSION_VERSION = 2;

interface SessionBase {
  readonly version: typeof SESSION_VERSION;
  /**
   * Random, fixed for the whole authorization request while the session id changes (after each code
   * step): what the per-session throttle counts.
   */
  readonly flowId: string;
  readonly csrf: string;
  readonly lang: Lang;
  readonly request: PendingRequest;
  readonly client: ClientSnapshot;
}

/** A validated request, nobody signed in yet: the sandbox picker or the bank's password page. */
export interface Started<F extends Flow = Flow> extends SessionBase {
  readonly flow: F;
  readonly stage: 'started';
}

/** Bank: the password step is done; its outcome waits for the code step, which gives the one answer. */
export interface PasswordChecked extends SessionBase {
  readonly flow: 'bank';
  readonly stage: 'password_checked';
  readonly signIn: FirstFactor;
}

/** Bank: both factors passed; the consent page. */
export interface Authenticated extends SessionBase {
  readonly flow: 'bank';
  readonly stage: 'authenticated';
  readonly psu: PsuIdentity;
  /** When SCA completed (Unix seconds): the grant's authTime. */
  readonly authTime: number;
  /**
   * A payment's dynamic linking (PSD2 RTS Art. 5): paymentBinding of the payment the code step
   * showed. The approval is refused unless the stored payment still has exactly this binding.
   */
  readonly scaBinding?: string;
}

/** What the store keeps between pages; `decided` is never stored (the session ends with the decision). */
export type Session = Started<'sandbox'> | Started<'bank'> | PasswordChecked | Authenticated;

/**
 * The consent page's session: no authorization request, only who is signing in. Stages as the bank
 * flow's, so the sign-in steps are shared (flow/sca-steps.ts).
 */
interface ConsentsBase {
  readonly version: typeof SESSION_VERSION;
  readonly flow: 'consents';
  readonly flowId: string;
  readonly csrf: string;
  readonly lang: Lang;
}

export interface ConsentsStarted extends ConsentsBase {
  readonly stage: 'started';
}

export interface ConsentsPasswordChecked extends ConsentsBase {
  readonly stage: 'password_checked';
  readonly signIn: FirstFactor;
}

export interface ConsentsSignedIn extends ConsentsBase {
  readonly stage: 'authenticated';
  readonly psu: PsuIdentity;
  readonly authTime: number;
  /** The outcome of the last withdrawal, shown once on the next list (post/redirect/get). */
  readonly notice?: { readonly withdrawn: string };
}

export type ConsentsSession = ConsentsStarted | ConsentsPasswordChecked | ConsentsSignedIn;

/** Every session the store keeps. */
export type StoredSession = Session | ConsentsSession;

export type SessionOf<F extends SessionFlow> = Extract<StoredSession, { readonly flow: F }>;

export type Decision =
  | {
      readonly outcome: 'granted';
      readonly psuId: string;
      readonly authTime: number;
      /** A payment's: the binding the PSU's authentication was bound to (Authenticated.scaBinding). */
      readonly scaBinding?: string;
    }
  | { readonly outcome: 'denied'; readonly psuId?: string };

/** The end of an authorization request: what goes back to the client. */
export interface Decided {
  readonly stage: 'decided';
  readonly request: PendingRequest;
  readonly decision: Decision;
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
export function idleSecondsOf(session: StoredSession, lifetimes: SessionLifetimes): number {
  return session.stage === 'authenticated'
    ? lifetimes.idleSeconds
    : Math.min(lifetimes.anonymousSeconds, lifetimes.idleSeconds);
}

/** The stored form of a session, refused beyond MAX_SESSION_BYTES. */
export function serialise(session: StoredSession): string {
  const json = JSON.stringify(session);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_SESSION_BYTES) throw new SessionTooLargeError(bytes);
  return json;
}

/** A stored session, or undefined for one of another version (read as expired: SESSION_VERSION). */
export function deserialise(raw: string): StoredSession | undefined {
  const session = JSON.parse(raw) as { readonly version?: unknown };
  return session.version === SESSION_VERSION ? (session as StoredSession) : undefined;
}

/**
 * Sessions with a sliding idle expiry: every read pushes the expiry back by the session's idle time
 * (idleSecondsOf), and a session not touched for that long is gone.
 */
export interface SessionStore {
  /** Throws SessionTooLargeError beyond MAX_SESSION_BYTES. */
  create(session: StoredSession): Promise<string>;
  /** The session, its expiry pushed back; undefined when unknown or expired. */
  load(id: string): Promise<StoredSession | undefined>;
  /** Replaces the data of a live session; does nothing if it expired meanwhile. */
  save(id: string, session: StoredSession): Promise<void>;
  /**
   * Reads and deletes in one step: of two concurrent calls, one gets the session and the other
   * undefined, so a step that must run once per session (a code check) cannot run twice.
   */
  take(id: string): Promise<StoredSession | undefined>;
  destroy(id: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
