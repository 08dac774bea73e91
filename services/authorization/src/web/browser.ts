import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type PageResult, page } from '@psd2/http';

/*
 * What every browser-facing response of this service shares: the session cookie, the CSRF token, the
 * page Content-Security-Policy and the no-store headers.
 */

/**
 * `__Host-`: the browser accepts it only with Secure, Path=/ and no Domain, so a sibling subdomain
 * cannot plant or overwrite it (RFC 6265bis §4.1.3.2). The value is an unguessable id; the session
 * itself stays on the server.
 */
export const SESSION_COOKIE = '__Host-psd2-authz';

/**
 * The consent page's session cookie: its own name, so that managing consents in one tab never ends an
 * authorization in progress in another, and neither session is ever presented where the other belongs.
 */
export const CONSENTS_SESSION_COOKIE = '__Host-psd2-consents';

export type SessionCookieName = typeof SESSION_COOKIE | typeof CONSENTS_SESSION_COOKIE;

/** The Set-Cookie value of a session. */
export function sessionCookie(id: string, name: SessionCookieName = SESSION_COOKIE): string {
  // No Max-Age: the browser forgets it when closed; the server expires the session after idle time.
  return `${name}=${id}; Path=/; HttpOnly; Secure; SameSite=Lax`;
}

/** The Set-Cookie value that makes the browser forget the session. */
export function clearedSessionCookie(name: SessionCookieName): string {
  return `${name}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`;
}

export const CLEARED_SESSION_COOKIE = clearedSessionCookie(SESSION_COOKIE);

export function sessionIdFrom(
  headers: IncomingHttpHeaders,
  cookieName: SessionCookieName = SESSION_COOKIE,
): string | undefined {
  const header = headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === cookieName) return rest.join('=');
  }
  return undefined;
}

export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sameToken(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A CSP source for the client's redirect URI. Chromium applies `form-action` to the redirects that
 * follow a form submission, so the consent form's 303 to the client needs its origin listed (CSP3
 * ignores the path after a redirect). A URI that cannot be expressed as a source is left out, and the
 * browser will then block it: safe, if unhelpful.
 */
export function formActionSource(redirectUri: string): string | undefined {
  if (!URL.canParse(redirectUri)) return undefined;
  const url = new URL(redirectUri);
  if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
  // Private-use schemes of native apps (RFC 8252 §7.1), e.g. `com.example.app:`.
  return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? url.protocol : undefined;
}

/** The pages' policy: nothing but our stylesheet, no script, no framing, forms only to us and the client. */
export function pageCsp(extraFormTargets: readonly (string | undefined)[] = []): string {
  const targets = ["'self'", ...extraFormTargets.filter((t): t is string => t !== undefined)];
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action ${targets.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * A page with its policy. Pages carry a CSRF token and personal details: the layer's page defaults keep
 * them from every cache (Cache-Control: no-store, RFC 9111 §5.2.2.5).
 */
export function htmlPage(
  status: number,
  body: string,
  csp: string,
  headers: Readonly<Record<string, string | readonly string[]>> = {},
): PageResult {
  return page(body, { status, headers: { 'Content-Security-Policy': csp, ...headers } });
}
