import { describe, expect, it } from '@jest/globals';
import { responseUrl } from './redirect.js';

describe('responseUrl', () => {
  it('appends encoded parameters and keeps the registered query as it is', () => {
    expect(
      responseUrl('https://tpp.example/cb', { code: 'a b', state: 'x&y=z', iss: 'https://as.example' }),
    ).toBe('https://tpp.example/cb?code=a+b&state=x%26y%3Dz&iss=https%3A%2F%2Fas.example');
    expect(responseUrl('https://tpp.example/cb?tenant=a%20b', { code: 'c' })).toBe(
      'https://tpp.example/cb?tenant=a%20b&code=c',
    );
    expect(responseUrl('https://tpp.example/cb?', { code: 'c', state: undefined })).toBe(
      'https://tpp.example/cb?code=c',
    );
    expect(responseUrl('com.example.app:/cb', { error: 'access_denied' })).toBe(
      'com.example.app:/cb?error=access_denied',
    );
  });
});
