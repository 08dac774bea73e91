import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { verifyS256 } from './pkce.js';

describe('verifyS256 (RFC 7636 §4.6)', () => {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  it('accepts the verifier of the challenge', () => {
    expect(verifyS256(verifier, challenge)).toBe(true);
  });

  it('matches the RFC 7636 Appendix B example', () => {
    expect(
      verifyS256(
        'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
        'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      ),
    ).toBe(true);
  });

  it.each([
    ['another verifier', randomBytes(32).toString('base64url')],
    ['a verifier too short', verifier.slice(0, 42)],
    ['a verifier with forbidden characters', `${verifier.slice(0, 42)}+`],
    ['the challenge itself (plain method)', challenge],
  ])('refuses %s', (_case, presented) => {
    expect(verifyS256(presented, challenge)).toBe(false);
  });
});
