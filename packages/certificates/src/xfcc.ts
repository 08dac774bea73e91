import { CertificateError } from './errors.js';

/*
 * Envoy's x-forwarded-client-cert header (Envoy docs, "HTTP header manipulation", XFCC):
 * - elements are separated by `,`; each is what one proxy added;
 * - an element is `key=value` pairs separated by `;`; keys are case-insensitive, values are not;
 * - a value containing `,`, `;` or `=` is double-quoted, and a `"` inside it is written `\"`;
 * - keys: By, Hash, Cert, Chain, Subject, URI, DNS; URI, DNS (and By) may repeat.
 * Cert and Chain are URL-encoded PEM. They are decoded with decodeURIComponent: a form decoder
 * (URLSearchParams) would turn a literal `+` of the base64 into a space and corrupt the certificate.
 */

export interface XfccElement {
  readonly by: readonly string[];
  /** Hex SHA-256 of the client certificate's DER, as the proxy computed it. Informational only. */
  readonly hash: string | undefined;
  /** The client certificate, PEM (URL-decoded). */
  readonly cert: string | undefined;
  /** The client's chain, leaf first, PEM (URL-decoded). */
  readonly chain: string | undefined;
  /** The subject as the proxy printed it. Informational only: identities come from `cert`. */
  readonly subject: string | undefined;
  readonly uri: readonly string[];
  readonly dns: readonly string[];
}

type SingleKey = 'hash' | 'cert' | 'chain' | 'subject';
type RepeatedKey = 'by' | 'uri' | 'dns';
const SINGLE_KEYS = new Set<string>(['hash', 'cert', 'chain', 'subject']);
const REPEATED_KEYS = new Set<string>(['by', 'uri', 'dns']);
const URL_ENCODED_KEYS = new Set<string>(['cert', 'chain']);

function malformed(message: string): CertificateError {
  return new CertificateError('ERR_XFCC_MALFORMED', `x-forwarded-client-cert: ${message}`);
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

/** Parses a whole XFCC header into its elements, in order. An empty header has none. */
export function parseXfcc(header: string): XfccElement[] {
  const elements: XfccElement[] = [];
  let position = 0;
  const length = header.length;
  const skipSpaces = () => {
    while (isSpace(header[position])) position++;
  };

  skipSpaces();
  if (position === length) return elements;

  for (;;) {
    const single: Partial<Record<SingleKey, string>> = {};
    const repeated: Record<RepeatedKey, string[]> = { by: [], uri: [], dns: [] };
    for (;;) {
      skipSpaces();
      const keyStart = position;
      while (position < length && !'=,;"'.includes(header[position] ?? '')) position++;
      const key = header.slice(keyStart, position).trim().toLowerCase();
      if (key === '' || header[position] !== '=') throw malformed('expected key=value');
      position++; // '='

      let value = '';
      if (header[position] === '"') {
        // Whole runs between quotes are sliced at once: Cert values are kilobytes long and this is
        // the per-request hot path.
        position++;
        let runStart = position;
        for (;;) {
          const quote = header.indexOf('"', position);
          if (quote === -1) throw malformed('unterminated quoted value');
          if (header[quote - 1] === '\\') {
            value += `${header.slice(runStart, quote - 1)}"`;
            position = quote + 1;
            runStart = position;
            continue;
          }
          value += header.slice(runStart, quote);
          position = quote + 1;
          break;
        }
      } else {
        const valueStart = position;
        while (position < length && !',;"'.includes(header[position] ?? '')) position++;
        if (header[position] === '"') throw malformed('quote inside an unquoted value');
        value = header.slice(valueStart, position).trim();
      }

      if (URL_ENCODED_KEYS.has(key)) {
        try {
          value = decodeURIComponent(value);
        } catch {
          throw malformed(`${key} is not valid percent-encoding`);
        }
      }
      if (SINGLE_KEYS.has(key)) {
        const name = key as SingleKey;
        if (single[name] !== undefined) {
          throw new CertificateError('ERR_XFCC_AMBIGUOUS', `x-forwarded-client-cert: ${key} appears twice`);
        }
        single[name] = value;
      } else if (REPEATED_KEYS.has(key)) {
        if (value !== '') repeated[key as RepeatedKey].push(value);
      }
      // Unknown keys are ignored: a newer Envoy may add some, and we never read identity from them.

      skipSpaces();
      if (position === length || header[position] === ',') break;
      if (header[position] !== ';') throw malformed('expected ; or , after a value');
      position++;
    }
    elements.push({
      by: repeated.by,
      hash: single.hash,
      cert: single.cert,
      chain: single.chain,
      subject: single.subject,
      uri: repeated.uri,
      dns: repeated.dns,
    });
    if (position === length) return elements;
    position++; // ','
    skipSpaces();
    if (position === length) throw malformed('empty element after ,');
  }
}

/**
 * The client certificate (PEM) an XFCC header carries, or undefined when the header is absent or empty.
 *
 * The FIRST element is read, and only it. The edge uses `forward_client_cert_details: SANITIZE_SET`:
 * whatever the client sent is replaced by exactly one element, the edge's, so the header leaves the
 * edge with the TPP's certificate first. A service mesh between the edge and the service (Istio and
 * Consul sidecars use APPEND_FORWARD) appends its own element, naming the edge's workload identity,
 * after it; those are ignored (docs/edge-to-service.md). The header is believed at all only on the
 * edge's own TLS connection (forwarded.ts), so nobody else can put an element first. Every element
 * must still parse: a malformed header is refused rather than half read.
 */
export function certificateFromXfcc(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const [edgeElement] = parseXfcc(header);
  if (edgeElement?.cert === undefined || edgeElement.cert === '') {
    throw new CertificateError('ERR_XFCC_NO_CERT', 'x-forwarded-client-cert has no Cert value');
  }
  return edgeElement.cert;
}

/**
 * URL-encodes a PEM the way Envoy does for `Cert` and `Chain`: only the characters of a PEM that
 * would need it (newline, space, `+`, `/`, `=`), so the output matches Envoy's byte for byte.
 */
export function urlEncodePem(pem: string): string {
  return pem.replace(
    /[\n /+=]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

function quoted(value: string): string {
  return `"${value.replace(/"/g, '\\"')}"`;
}

function bare(value: string): string {
  return /[,;="]/.test(value) ? quoted(value) : value;
}

export interface XfccDetails {
  /** Hex SHA-256 of the certificate's DER. */
  readonly hash: string;
  /** PEM of the client certificate. */
  readonly cert?: string;
  /** PEM of the chain, leaf first. */
  readonly chain?: string;
  readonly subject?: string;
  readonly uri?: readonly string[];
  readonly dns?: readonly string[];
}

/**
 * One XFCC element in the order and quoting Envoy uses with `set_current_client_cert_details`
 * {cert, chain, subject, uri, dns}: Hash, Cert, Chain, Subject (always quoted, present even when
 * empty), URI (present, possibly empty), then one DNS pair per name.
 */
export function formatXfccElement(details: XfccDetails): string {
  const pairs = [`Hash=${details.hash}`];
  if (details.cert !== undefined) pairs.push(`Cert=${quoted(urlEncodePem(details.cert))}`);
  if (details.chain !== undefined) pairs.push(`Chain=${quoted(urlEncodePem(details.chain))}`);
  pairs.push(`Subject=${quoted(details.subject ?? '')}`);
  const uris = details.uri ?? [];
  if (uris.length === 0) pairs.push('URI=');
  for (const uri of uris) pairs.push(`URI=${bare(uri)}`);
  for (const dns of details.dns ?? []) pairs.push(`DNS=${bare(dns)}`);
  return pairs.join(';');
}
