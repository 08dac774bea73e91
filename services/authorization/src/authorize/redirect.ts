/**
 * The URL of an authorization response: the registered redirect URI exactly as registered, its own
 * query kept byte for byte, the response parameters appended form-encoded (RFC 6749 §4.1.2, §3.1.2:
 * "MUST retain" the query component). Only ever called with a verified, registered URI.
 */
export function responseUrl(
  redirectUri: string,
  params: Readonly<Record<string, string | undefined>>,
): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.append(name, value);
  const separator = !redirectUri.includes('?') ? '?' : /[?&]$/.test(redirectUri) ? '' : '&';
  return `${redirectUri}${separator}${query.toString()}`;
}
