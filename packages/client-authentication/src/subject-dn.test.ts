import { describe, expect, it } from '@jest/globals';
import { subjectDnMatches } from './subject-dn.js';

describe('subjectDnMatches', () => {
  it('ignores the case of attribute types and spaces around separators', () => {
    expect(subjectDnMatches('CN=TPP,O=Demo,C=FR', 'cn=TPP, o=Demo, c=FR')).toBe(true);
  });

  it('compares values exactly, escapes included', () => {
    expect(subjectDnMatches('CN=TPP,O=Demo', 'CN=tpp,O=Demo')).toBe(false);
    expect(subjectDnMatches('O=A\\,B,C=FR', 'O=A\\,B,C=FR')).toBe(true);
    expect(subjectDnMatches('O=A\\,B,C=FR', 'O=A,B,C=FR')).toBe(false);
  });

  it('treats multi-valued RDNs as sets', () => {
    expect(subjectDnMatches('CN=TPP+2.5.4.97=PSDFR-ACPR-1,C=FR', '2.5.4.97=PSDFR-ACPR-1+CN=TPP,C=FR')).toBe(
      true,
    );
  });
});
