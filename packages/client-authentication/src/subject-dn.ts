import { memoize } from '@psd2/certificates';

/**
 * RFC 8705 §2.1.2: the presented certificate's subject must match `tls_client_auth_subject_dn`.
 * Both sides are RFC 4514 strings, but a TPP may register its own spelling, so attribute types are
 * compared case-insensitively and spaces around separators ignored; values are compared exactly.
 */
export function subjectDnMatches(presented: string, registered: string): boolean {
  return presented === registered || normalized(presented) === normalized(registered);
}

/** Every token request compares the same few subjects (one per TPP certificate and client). */
const normalized = memoize(normalize, 10_000);

function normalize(dn: string): string {
  return splitUnescaped(dn, ',')
    .map((rdn) =>
      splitUnescaped(rdn, '+')
        .map((attribute) => {
          const equals = attribute.indexOf('=');
          if (equals === -1) return attribute.trim();
          return `${attribute.slice(0, equals).trim().toUpperCase()}=${attribute.slice(equals + 1).trim()}`;
        })
        .sort()
        .join('+'),
    )
    .join(',');
}

function splitUnescaped(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < value.length; index += 1) {
    const character = value[index];
    if (character === '\\' && index + 1 < value.length) {
      current += character + value[index + 1];
      index += 1;
    } else if (character === separator) {
      parts.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  parts.push(current);
  return parts;
}
