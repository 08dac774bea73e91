import { describe, expect, it } from '@jest/globals';
import { normalisedTarget, resolvedTarget, type Target } from './target.js';

/*
 * normalisedTarget() skips the URL parser for targets that are already normal; it must return exactly
 * what the parser path (resolvedTarget, the edge's only path before) returns, for every input.
 */

describe('normalisedTarget', () => {
  it.each([
    // Plain targets: the fast path.
    ['/', { path: '/', search: '' }],
    ['/oauth2/token', { path: '/oauth2/token', search: '' }],
    ['/oauth2/token?', { path: '/oauth2/token', search: '' }],
    ['/oauth2/token?a=1&b=2', { path: '/oauth2/token', search: '?a=1&b=2' }],
    [
      '/oauth2/fr/sandbox/signin.html?client_id=x',
      { path: '/oauth2/fr/sandbox/signin.html', search: '?client_id=x' },
    ],
    [
      '/.well-known/oauth-authorization-server',
      { path: '/.well-known/oauth-authorization-server', search: '' },
    ],
    ['/oauth2/register/', { path: '/oauth2/register/', search: '' }],
    ['/a/..b/c.', { path: '/a/..b/c.', search: '' }],
    ['/a?b/c?d', { path: '/a', search: '?b/c?d' }],
    ['/?x', { path: '/', search: '?x' }],
    ["/a'b", { path: "/a'b", search: '' }],
    // Targets the parser changes.
    ['/oauth2//fr/../token', { path: '/oauth2/token', search: '' }],
    ['/oauth2/./token', { path: '/oauth2/token', search: '' }],
    ['/oauth2/token/.', { path: '/oauth2/token/', search: '' }],
    ['/oauth2/token/..', { path: '/oauth2/', search: '' }],
    ['/oauth2/%2e%2E/token', { path: '/token', search: '' }],
    ['/a\\b', { path: '/a/b', search: '' }],
    ['/a b', { path: '/a%20b', search: '' }],
    ['/a?b c', { path: '/a', search: '?b%20c' }],
    ["/a?b'c", { path: '/a', search: '?b%27c' }],
    ['/a#frag', { path: '/a', search: '' }],
    ['/a?b#frag', { path: '/a', search: '?b' }],
    ['/a{b}', { path: '/a%7Bb%7D', search: '' }],
    ['/é', { path: '/%C3%A9', search: '' }],
    ['//host/path', { path: '/path', search: '' }],
    ['/a%41', { path: '/a%41', search: '' }],
    // Refused.
    ['/oauth2/register%2Fx', undefined],
    ['/oauth2/register%5cx', undefined],
    ['oauth2/token', undefined],
    ['*', undefined],
    ['', undefined],
    ['//[', undefined],
    ['//[::1/a', undefined],
  ])('%s', (raw, expected) => {
    expect(normalisedTarget(raw)).toEqual(expected);
    expect(resolvedTarget(raw)).toEqual(expected);
  });

  /** The result, or the error's message: some targets (`//[`...) make the URL parser throw. */
  function outcome(run: () => Target | undefined): Target | undefined | string {
    try {
      return run();
    } catch (error) {
      return String(error);
    }
  }

  it('agrees with the URL parser on random targets built from the characters that matter', () => {
    // Deterministic (xorshift32), so that a failure reproduces.
    let state = 0x9e3779b9;
    const next = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 0x1_0000_0000;
    };
    // biome-ignore format: a table
    const pieces = [
      '/', '/', '/', '.', '..', '%', '%2e', '%2E', '%2f', '%5C', '%41', '?', '#', '\\', ' ', '\t', "'", '"',
      '<', '>', '`', '{', '}', '^', '|', '[', ']', 'a', 'b', 'token', '_', '-', '~', '=', '&', '+', ':', '@',
      ';', ',', '!', '$', '(', ')', '*', 'é', '\u0000', '\u007f',
    ];
    let plain = 0;
    for (let i = 0; i < 20_000; i++) {
      let raw = next() < 0.95 ? '/' : '';
      const length = Math.floor(next() * 12);
      for (let j = 0; j < length; j++) raw += pieces[Math.floor(next() * pieces.length)];
      const fast = outcome(() => normalisedTarget(raw));
      expect({ raw, outcome: fast }).toEqual({ raw, outcome: outcome(() => resolvedTarget(raw)) });
      if (typeof fast === 'object' && `${fast.path}${fast.search}` === raw) plain++;
    }
    // Enough targets were already normal (what the fast path is for) for the comparison to mean something.
    expect(plain).toBeGreaterThan(1000);
  });
});
