import { describe, expect, it } from '@jest/globals';
import { parseInvocation, UsageError } from './usage.js';

describe('identifiers that begin with a dash', () => {
  it('takes a base64url grant id starting with - as the grant id', () => {
    const { command } = parseInvocation([
      'withdraw-grant',
      '-WC46gFraw-BpcnHADT__w',
      '--reason',
      'customer called',
    ]);
    expect(command).toEqual({
      name: 'withdraw-grant',
      grantId: '-WC46gFraw-BpcnHADT__w',
      reason: 'customer called',
    });
  });

  it('takes it after the options and after --, too', () => {
    for (const argv of [
      ['withdraw-grant', '--reason', 'r', '-abc'],
      ['withdraw-grant', '--reason', 'r', '--', '-abc'],
      ['withdraw-grant', '--reason=r', '-abc'],
    ]) {
      expect(parseInvocation(argv).command).toEqual({ name: 'withdraw-grant', grantId: '-abc', reason: 'r' });
    }
  });

  it("takes an option's value that begins with a dash as that value", () => {
    expect(parseInvocation(['list-grants', '--psu', '-x1']).command).toEqual({
      name: 'list-grants',
      psuId: '-x1',
    });
    expect(parseInvocation(['show-client', '-client']).command).toEqual({
      name: 'show-client',
      clientId: '-client',
    });
  });

  it('still refuses unknown options and a second argument', () => {
    expect(() => parseInvocation(['list-clients', '--frobnicate'])).toThrow(UsageError);
    expect(() => parseInvocation(['withdraw-grant', 'a', '-b', '--reason', 'r'])).toThrow(UsageError);
    expect(() => parseInvocation(['withdraw-grant', '--reason'])).toThrow(UsageError);
  });
});
