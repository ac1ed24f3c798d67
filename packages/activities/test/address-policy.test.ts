import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressPolicy, isAllowedPort, isLinkLocalOrMetadata, isPublicAddress } from '../src/address-policy.js';

const refused: [string, string][] = [
  ['127.0.0.1', 'IPv4 loopback'],
  ['127.255.0.9', 'anything in 127/8'],
  ['10.1.2.3', 'RFC 1918 10/8'],
  ['172.16.0.1', 'RFC 1918 172.16/12'],
  ['172.31.255.255', 'top of 172.16/12'],
  ['192.168.1.1', 'RFC 1918 192.168/16'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['169.254.169.254', 'cloud metadata service'],
  ['169.254.0.1', 'IPv4 link-local'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'this network'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['192.0.2.10', 'documentation TEST-NET-1'],
  ['198.18.0.1', 'benchmarking'],
  ['240.0.0.1', 'reserved class E'],
  ['::1', 'IPv6 loopback'],
  ['::', 'IPv6 unspecified'],
  ['fe80::1', 'IPv6 link-local'],
  ['fe80::1%eth0', 'link-local with zone id'],
  ['fc00::1', 'unique local fc00::/7'],
  ['fd00:ec2::254', 'AWS IPv6 metadata service (ULA)'],
  ['fec0::1', 'deprecated site-local'],
  ['ff02::1', 'IPv6 multicast'],
  ['2001:db8::1', 'IPv6 documentation'],
  ['2001::1', 'Teredo'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback in hex form'],
  ['::ffff:169.254.169.254', 'IPv4-mapped metadata service'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::127.0.0.1', 'IPv4-compatible loopback'],
  ['64:ff9b::10.0.0.1', 'NAT64 of a private address'],
  ['64:ff9b:1::808:808', 'NAT64 local-use prefix'],
  ['2002:a00:1::', '6to4 of a private address'],
  ['not-an-ip', 'a host name'],
  ['127.1', 'shorthand IPv4'],
  ['0x7f.0.0.1', 'hex IPv4'],
  ['', 'empty string'],
];

const allowed: [string, string][] = [
  ['8.8.8.8', 'public IPv4'],
  ['93.184.216.34', 'public IPv4'],
  ['172.32.0.1', 'just above 172.16/12'],
  ['100.128.0.1', 'just above CGNAT'],
  ['2606:4700:4700::1111', 'public IPv6'],
  ['::ffff:8.8.8.8', 'IPv4-mapped public address'],
  ['64:ff9b::808:808', 'NAT64 of a public address'],
  ['2002:808:808::1', '6to4 of a public address'],
];

describe('isPublicAddress', () => {
  for (const [ip, what] of refused) {
    it(`refuses ${ip || '""'} (${what})`, () => assert.equal(isPublicAddress(ip), false));
  }
  for (const [ip, what] of allowed) {
    it(`allows ${ip} (${what})`, () => assert.equal(isPublicAddress(ip), true));
  }
});

describe('addressPolicy', () => {
  const withPrivateHosts = addressPolicy(true);

  it('is isPublicAddress without private hosts', () => {
    assert.equal(addressPolicy(false), isPublicAddress);
  });

  for (const ip of ['127.0.0.1', '::1', '10.1.2.3', '192.168.1.1', 'fc00::1', '8.8.8.8']) {
    it(`allows ${ip} with private hosts`, () => assert.equal(withPrivateHosts(ip), true));
  }

  const alwaysRefused: [string, string][] = [
    ['169.254.169.254', 'AWS, GCP and Azure metadata service'],
    ['169.254.0.1', 'IPv4 link-local'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata service'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata service in hex form'],
    ['64:ff9b::169.254.169.254', 'NAT64 of the metadata service'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'link-local with zone id'],
    ['fd00:ec2::254', 'AWS IPv6 metadata service'],
    ['fd00:0ec2:0000::0254', 'AWS IPv6 metadata service, long form'],
    ['100.100.100.200', 'Alibaba Cloud metadata service'],
    ['192.0.0.192', 'Oracle Cloud metadata service'],
    ['168.63.129.16', 'Azure wire server'],
    ['not-an-ip', 'a host name'],
  ];
  for (const [ip, what] of alwaysRefused) {
    it(`refuses ${ip} (${what}) even with private hosts`, () => {
      assert.equal(isLinkLocalOrMetadata(ip), true);
      assert.equal(withPrivateHosts(ip), false);
    });
  }
});

describe('isAllowedPort', () => {
  const port = (url: string, allowPrivateHosts: boolean, extra: number[] = []): boolean =>
    isAllowedPort(new URL(url), allowPrivateHosts, extra);

  it('allows the default ports of http and https, explicit or not', () => {
    for (const url of [
      'http://example.com/',
      'https://example.com/',
      'http://example.com:443/',
      'https://example.com:80/',
    ]) {
      assert.equal(port(url, false), true, url);
    }
  });

  it('refuses any other port without private hosts', () => {
    for (const url of ['http://example.com:8080/', 'https://example.com:22/', 'http://example.com:6379/']) {
      assert.equal(port(url, false), false, url);
    }
  });

  it('allows the ports FETCH_ALLOWED_PORTS lists', () => {
    assert.equal(port('http://example.com:8080/', false, [8080]), true);
    assert.equal(port('http://example.com:8081/', false, [8080]), false);
  });

  it('allows any port with private hosts', () => {
    assert.equal(port('http://127.0.0.1:6379/', true), true);
  });
});
