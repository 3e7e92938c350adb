import { describe, expect, it } from 'vitest';
import { classifyAddress, isPublicAddress, parseIPv6 } from '../../shared/images/ip-address-policy.js';

// Classification only: nothing here connects anywhere.
describe('which addresses a fetch may connect to', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['0.0.0.0', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['192.0.2.10', /documentation/],
    ['198.18.5.5', /benchmarking/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['fe80::1', /link-local/],
    ['fc00::1', /unique local/],
    ['fd12:3456::1', /unique local/],
    ['ff02::1', /multicast/],
    ['::ffff:127.0.0.1', /IPv4-mapped IPv6 of 127\.0\.0\.1: loopback/],
    ['::ffff:7f00:1', /IPv4-mapped IPv6 of 127\.0\.0\.1/],
    ['::ffff:10.0.0.1', /IPv4-mapped.*private/],
    ['::ffff:169.254.169.254', /IPv4-mapped.*link-local/],
    ['64:ff9b::10.0.0.1', /NAT64.*private/],
    ['2002:7f00:1::', /6to4 of 127\.0\.0\.1/],
    ['::127.0.0.1', /IPv4-compatible/],
    ['2001:db8::1', /documentation/],
    ['2001::1', /IETF/],
    ['4000::1', /outside global unicast/],
    ['fe80::1%eth0', /not an IP address/],
    ['localhost', /not an IP address/],
    ['', /not an IP address/],
  ])('refuses %s', (address, range) => {
    const verdict = classifyAddress(address);
    expect(verdict.public).toBe(false);
    if (!verdict.public) expect(verdict.range).toMatch(range);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '2606:4700::1111', '2a00:1450:4001::1', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'allows public %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  it('parses IPv6 shorthand, including a trailing dotted quad', () => {
    expect(parseIPv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIPv6('2001:db8:0:0:1:0:0:1')).toEqual([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]);
    expect(parseIPv6('nonsense')).toBeUndefined();
  });
});
