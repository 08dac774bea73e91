import { isDependencyUnavailable } from './dependency.js';
import { OAuthError, ServerError, TemporarilyUnavailableError } from './errors.js';

export interface OAuthErrorBody {
  readonly error: string;
  readonly error_description: string;
}

export interface OAuthErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: OAuthErrorBody;
  /** What the log gets: the code, the status, and the specific cause when there is one. */
  readonly log: {
    readonly error: string;
    readonly status: number;
    readonly detail?: string;
    readonly cause?: unknown;
  };
}

/**
 * RFC 6749 §5.2 (and §4.1.2.1): `error_description` may only hold %x20-21 / %x23-5B / %x5D-7E. Messages
 * that quote a value ("the scope "x"…") or carry accents are mapped onto that set here, once, for every
 * endpoint: quotes become apostrophes, a backslash a slash, `§` the word "section", accents are
 * dropped, anything else is `?`.
 */
export function safeDescription(description: string): string {
  return description
    .replace(/§/g, 'section ')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/"/g, "'")
    .replace(/\\/g, '/')
    .replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');
}

/**
 * Anything that is not already an OAuth error becomes `temporarily_unavailable` when a dependency could
 * not serve (dependency.ts decides), `server_error` otherwise; its message never reaches the client.
 */
export function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : 'non-error value thrown';
  if (isDependencyUnavailable(error)) return new TemporarilyUnavailableError({ detail, cause: error });
  return new ServerError({ detail, cause: error });
}

/**
 * The single place where an OAuth error becomes an HTTP response (RFC 6749 §5.2 JSON). Error
 * responses are never cached: they may concern credentials.
 */
export function serializeOAuthError(error: unknown): OAuthErrorResponse {
  const oauthError = toOAuthError(error);
  return {
    status: oauthError.status,
    headers: {
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      ...oauthError.headers,
    },
    body: { error: oauthError.code, error_description: safeDescription(oauthError.description) },
    log: {
      error: oauthError.code,
      status: oauthError.status,
      ...(oauthError.detail === undefined ? {} : { detail: oauthError.detail }),
      ...(oauthError instanceof ServerError && oauthError.cause !== undefined
        ? { cause: oauthError.cause }
        : {}),
    },
  };
}

/** The query parameters of an error sent back through the browser to the client's redirect URI (RFC 6749 §4.1.2.1). */
export function oauthErrorRedirectParams(error: unknown): { error: string; error_description: string } {
  const { body } = serializeOAuthError(error);
  return { error: body.error, error_description: body.error_description };
}
