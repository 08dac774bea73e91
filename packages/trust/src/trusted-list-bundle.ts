import { readBundleFile, replaceIfChanged } from './bundle-file.js';
import type { TrustedCa } from './trusted-list-select.js';

/*
 * The PEM bundle the edge trusts (EDGE_CLIENT_CA_FILE, ca.crt of the qtsp-ca-bundle Secret). Deterministic,
 * so that an unchanged trusted list gives a byte-identical file and nothing is rewritten: each certificate
 * once (by SHA-256), ordered by subject then SHA-256, after a `#` comment line naming where it comes from.
 * OpenSSL's PEM reader, which both Node's `ca` option and Envoy use, skips lines outside BEGIN/END blocks.
 */

export function distinctCas(cas: readonly TrustedCa[]): TrustedCa[] {
  const ordered = [...cas].sort(
    (a, b) =>
      compare(a.subject, b.subject) || compare(a.sha256, b.sha256) || compare(commentOf(a), commentOf(b)),
  );
  return ordered.filter((ca, index) => index === 0 || ordered[index - 1]?.sha256 !== ca.sha256);
}

export function formatBundle(cas: readonly TrustedCa[]): string {
  return distinctCas(cas)
    .map((ca) => `${commentOf(ca)}\n${pemOf(ca.der)}`)
    .join('');
}

export function commentOf(ca: TrustedCa): string {
  return `# ${oneLine(ca.territory)} ${oneLine(ca.providerName)} / ${oneLine(ca.serviceName)} sha256=${ca.sha256}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Names come from the list: no control character may end the comment line early. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is removed.
  return text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim() || '-';
}

function pemOf(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * Writes `content` to `path` unless the file already holds exactly that, atomically (bundle-file.ts), so a
 * reader (Envoy's SDS watch, the local edge) sees the old bundle or the new one, never half of one.
 */
export async function writeBundleIfChanged(path: string, content: string): Promise<'written' | 'unchanged'> {
  return (await replaceIfChanged(path, content, await readBundleFile(path))) ? 'written' : 'unchanged';
}
