import { describe, expect, it } from '@jest/globals';
import { clientAddressKey } from './throttle.js';

describe('the client address a throttle counts', () => {
  it('is the IPv4 address itself', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('::ffff:203.0.113.7');
  });

  it('is the /64 of an IPv6 address, however it is written', () => {
    const key = '2001:db8:0:1::/64';
    expect(clientAddressKey('2001:db8:0:1::1')).toBe(key);
    expect(clientAddressKey('2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd')).toBe(key);
    expect(clientAddressKey('2001:DB8::1:0:0:0:5')).toBe(key);
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('2001:db8:0:2::1')).not.toBe(key);
  });

  it('is one shared key when express knows no address', () => {
    expect(clientAddressKey(undefined)).toBe('unknown');
  });
});
