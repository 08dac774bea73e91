import type { OAuthError } from '@psd2/oauth-errors';
import type { PageErrorKind } from '../html/messages.js';

/**
 * An error the PSU sees as a page, never as a redirect: the client or its redirect URI could not be
 * trusted (RFC 6749 §4.1.2.1), or there is no verified request left to answer (expired session).
 */
export class PageError extends Error {
  /** For a 429 or 503 page: the Retry-After header (RFC 9110 §10.2.3). */
  readonly retryAfterSeconds: number | undefined;
  /** The session is gone with this page: the browser is told to forget its cookie. */
  readonly endsSession: boolean;
  constructor(
    readonly kind: PageErrorKind,
    readonly status: number,
    /** For the log only. */
    readonly detail?: string,
    options?: { cause?: unknown; retryAfterSeconds?: number; endsSession?: boolean },
  ) {
    super(detail ?? kind, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.endsSession = options?.endsSession ?? false;
    this.name = 'PageError';
  }
}

/** Where an error response goes once the redirect URI is verified, with the state to echo. */
export interface ResponseTarget {
  readonly redirectUri: string;
  readonly state?: string | undefined;
}

/** An OAuth error sent back to the client through the browser (RFC 6749 §4.1.2.1). */
export class RedirectError extends Error {
  constructor(
    readonly error: OAuthError,
    readonly target: ResponseTarget,
    /** The session is gone with this answer: the browser is told to forget its cookie. */
    readonly endsSession = false,
  ) {
    super(error.message, { cause: error });
    this.name = 'RedirectError';
  }
}
