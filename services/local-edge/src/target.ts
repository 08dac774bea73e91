/** A request target as the edge routes and forwards it. */
export interface Target {
  readonly path: string;
  /** `?` and the query, or '' when there is none (or it is empty). */
  readonly search: string;
}

/**
 * Targets that WHATWG URL parsing returns unchanged: one `/`, then segments of characters outside
 * every percent-encode set (no `%`, so no `%2e` dot segments either), none of them `.` or `..`, no
 * empty segment but a trailing one; then an optional query of the same characters plus `/` and `?`
 * (not `'`, which the special-query set encodes). No `\`, `#`, space, control or non-ASCII character.
 */
const PLAIN_TARGET =
  /^(?=\/)(?:\/(?!\.\.?(?:[/?]|$))[\w\-.~!$&()*+,;=:@]+)*\/?(?:\?[\w\-.~!$&()*+,;=:@/?]*)?$/;

/**
 * Envoy with `normalize_path`, `merge_slashes` and `path_with_escaped_slashes_action: REJECT_REQUEST`:
 * dot segments resolved (RFC 3986 §5.2.4), repeated slashes merged, encoded slashes refused.
 * Undefined: the target is refused.
 *
 * Nearly every target is already normal; those skip the URL parser, which was a measurable part of the
 * edge's per-request cost. The result is the parser's either way (target.test.ts compares the two).
 */
export function normalisedTarget(rawUrl: string): Target | undefined {
  if (!PLAIN_TARGET.test(rawUrl)) return resolvedTarget(rawUrl);
  const query = rawUrl.indexOf('?');
  if (query === -1) return { path: rawUrl, search: '' };
  // URL drops a `?` with nothing after it.
  return { path: rawUrl.slice(0, query), search: query === rawUrl.length - 1 ? '' : rawUrl.slice(query) };
}

/** The general case, through the WHATWG URL parser. */
export function resolvedTarget(rawUrl: string): Target | undefined {
  if (!rawUrl.startsWith('/')) return undefined;
  const rawPath = rawUrl.split('?', 1)[0] ?? '';
  if (/%2f|%5c/i.test(rawPath)) return undefined;
  // `//[`... reads as an authority the parser cannot make sense of: a malformed request, not a failure.
  const url = URL.parse(rawUrl, 'https://edge.invalid');
  if (url === null) return undefined;
  return { path: url.pathname.replace(/\/{2,}/g, '/'), search: url.search };
}
