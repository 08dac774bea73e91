import { describe, expect, it } from '@jest/globals';
import { generateGrantId, generateOpaqueToken, hashSecret } from './secrets.js';

describe('secrets', () => {
  it('never hands out the same random bytes twice, across pool refills', () => {
    const seen = new Set<string>();
    // Mixed sizes, well past several 4 KiB refills.
    for (let index = 0; index < 2000; index += 1) {
      const token = generateOpaqueToken();
      const grantId = generateGrantId();
      expect(token).toMatch(/^[\w-]{43}$/);
      expect(grantId).toMatch(/^[\w-]{22}$/);
      seen.add(token);
      seen.add(grantId);
    }
    expect(seen.size).toBe(4000);
  });

  it('keys a secret by its SHA-256, base64url', () => {
    expect(hashSecret('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });
});
