/** RFC 9110 §7.6.1 hop-by-hop fields, never forwarded in either direction. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'http2-settings',
]);

/** The fields a `Connection` header names, hop-by-hop for that message only; undefined when there is none. */
export function connectionOptions(connection: string | string[] | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const named = new Set<string>();
  for (const token of (Array.isArray(connection) ? connection.join(',') : connection).split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '') named.add(name);
  }
  return named;
}

/** Whether a field stays on this hop: always hop-by-hop, or named by the message's `Connection`. */
export function staysOnThisHop(name: string, listed: Set<string> | undefined): boolean {
  return HOP_BY_HOP.has(name) || listed?.has(name) === true;
}
