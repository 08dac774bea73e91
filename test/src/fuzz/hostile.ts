import fc from 'fast-check';

/*
 * The hostile building blocks every endpoint's generators share: strings an attacker or a broken
 * client sends (control characters, lone surrogates, right-to-left overrides, huge values), bad
 * percent-escapes, and JSON nested deeper than any parser should meet. Mixed with valid values by the
 * endpoint generators, so that requests also get past the first checks.
 */

/** Characters that break naive parsers and logs. */
const NASTY_CHARS = [
  '\u0000',
  '\u0001',
  '\t',
  '\n',
  '\r',
  ' ',
  '"',
  "'",
  '<',
  '>',
  '&',
  '%',
  '+',
  '=',
  ';',
  ',',
  '/',
  '\\',
  '#',
  '?',
  '\u007f',
  '\u00a0',
  '\u00e9',
  '\u0301',
  '\u200b',
  '\u202e',
  '\ufeff',
  '\ufffd',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  '\u{10ffff}',
] as const;

export const nastyChar = fc.constantFrom(...NASTY_CHARS);

/** Strings from every corner of Unicode, lone surrogates included. */
export const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.oneof(nastyChar, fc.string({ minLength: 1, maxLength: 1 })), maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

/** A value many times longer than any real one (ids, URIs, tokens are all far shorter). */
export const oversize = fc
  .tuple(
    fc.constantFrom('a', 'A1', '%', '\u00e9', '/', '\u0000', '{'),
    fc.constantFrom(300, 300, 5000, 5000, 70_000),
  )
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)));

/** Percent-escapes a decoder chokes on: truncated, non-hex, overlong and invalid UTF-8. */
export const badPercentEscape = fc.constantFrom(
  '%',
  '%A',
  '%E0%A4%A',
  '%FF',
  '%C0%AF',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%G1',
  '%%',
  '%00',
  '%0A',
  '%25%',
  '%u0041',
  '%E2%80%AE',
);

/** Strings meant to end up as identifiers: plausible shapes, base64 padding, slashes, escapes. */
export const idLike = fc.oneof(
  fc.constantFrom('bQ==', 'a/b', 'a b', '..', '.', '', '-', '0', 'null', 'undefined', '[object Object]'),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{0,30}$/), nastyChar).map(([base, c]) => base + c),
  anyText,
  oversize,
);

/** Any JSON value, with depth enough to reach nested-object code paths. */
export const jsonValue = fc.jsonValue({ maxDepth: 4 });

/** JSON text nested `depth` levels deep, as an object or an array chain. */
export const deepJsonText = fc
  .tuple(fc.constantFrom('{"a":', '['), fc.constantFrom(50, 600, 6000))
  .map(([open, depth]) => {
    const close = open === '[' ? ']' : '}';
    return `${open.repeat(depth)}1${close.repeat(depth)}`;
  });

/**
 * JSON nested 50 to 6000 levels deep, as a value inside a body. Too deep for JSON.stringify (it runs
 * out of stack), so the value is a placeholder string that `expandDeepJson` swaps for the text.
 */
export const deepJsonValue = fc.constantFrom(50, 600, 6000).map((depth) => `\ue002${depth}\ue003`);

/** Replaces every deep-JSON placeholder in serialized JSON with arrays and objects nested that deep. */
export function expandDeepJson(json: string): string {
  return json.replace(/"\ue002(\d+)\ue003"/g, (_, depth: string) => {
    const levels = Number(depth);
    let open = '';
    let close = '';
    for (let i = 0; i < levels; i += 1) {
      open += i % 2 === 0 ? '{"k":' : '[';
      close = (i % 2 === 0 ? '}' : ']') + close;
    }
    return `${open}1${close}`;
  });
}

/** Text that is almost JSON: truncated, trailing garbage, duplicate keys, prototype keys. */
export const brokenJsonText = fc.constantFrom(
  '',
  '{',
  '{"a":1,}',
  '{"a":1}{"b":2}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '{"a":1,"a":2}',
  'null',
  'true',
  '1e99999',
  '"\\ud800"',
  '[]',
  '\ufeff{}',
  '{"a":"\\u0000"}',
);

/** A Content-Type header an endpoint may or may not expect, with odd charsets and parameters. */
export const contentType = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded; charset=ISO-8859-1',
  'application/x-www-form-urlencoded; charset=utf-16',
  'application/x-www-form-urlencoded; charset=bogus',
  'application/x-www-form-urlencoded; charset="utf-8"; charset=latin1',
  'APPLICATION/X-WWW-FORM-URLENCODED',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16le',
  'application/json; charset=koi8-r',
  'application/jwt',
  'application/merge-patch+json',
  'text/plain',
  'text/html; charset=utf-8',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  '*/*',
  '',
  ';',
  'application/',
  'application/json;;;',
);

/** How a text body is turned into bytes: usually UTF-8, sometimes what the charset claims, or worse. */
export const bodyEncoding = fc.constantFrom<BufferEncoding>(
  'utf8',
  'utf8',
  'utf8',
  'utf8',
  'latin1',
  'utf16le',
);

/** Percent-encodes like a browser form does, but sometimes leaves raw or broken bytes in. */
export const formEncoder = fc.constantFrom('standard', 'raw', 'plus-spaces', 'broken') as fc.Arbitrary<
  'standard' | 'raw' | 'plus-spaces' | 'broken'
>;

export function encodeFormPart(value: string, how: 'standard' | 'raw' | 'plus-spaces' | 'broken'): string {
  switch (how) {
    case 'raw':
      return value;
    case 'plus-spaces':
      return encodeURIComponent(safeForUri(value)).replaceAll('%20', '+');
    case 'broken':
      return `${encodeURIComponent(safeForUri(value))}%E0%A4%A`;
    default:
      return encodeURIComponent(safeForUri(value));
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** encodeURIComponent throws on lone surrogates; keep them as the replacement character instead. */
export function safeForUri(value: string): string {
  return value.replace(LONE_SURROGATE, '\ufffd');
}
