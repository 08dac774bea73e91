/**
 * The security headers of an API response, as the OWASP REST Security Cheat Sheet lists them: no
 * caching of credentials (with RFC 6749 §5.1's Pragma), no rendering or framing should a browser ever
 * load the response, HTTPS only. helmet's other defaults (COOP, CORP, Origin-Agent-Cluster,
 * Referrer-Policy, X-DNS-Prefetch-Control, X-Download-Options, X-Permitted-Cross-Domain-Policies,
 * X-XSS-Protection) govern documents a browser renders or no-cors GETs it embeds; these endpoints
 * answer POSTs from TPP servers. Each of those eight headers cost about 4 µs per request between
 * the service and the edge (bench/README.md).
 */
export const API_SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Cache-Control', 'no-store'],
  ['Pragma', 'no-cache'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];
