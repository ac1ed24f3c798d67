import ipaddr from 'ipaddr.js';

// 2000::/3 is the only IPv6 space allocated for global unicast; everything outside it is local, special or unassigned.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
// NAT64 local-use prefix (RFC 8215) may translate to anything inside the operator's network.
const NAT64_LOCAL_USE = ipaddr.parseCIDR('64:ff9b:1::/48');
// Instance metadata services outside 169.254/16: AWS IPv6 (a ULA), Alibaba (in CGNAT space), Oracle, Azure's wire
// server (a public address).
const METADATA_ADDRESSES = ['fd00:ec2::254', '100.100.100.200', '192.0.0.192', '168.63.129.16'].map((ip) =>
  ipaddr.parse(ip).toNormalizedString(),
);

/** Ports fetched when private hosts are not allowed, before FETCH_ALLOWED_PORTS adds any. */
export const DEFAULT_FETCH_PORTS: readonly number[] = [80, 443];

function isPublicV4(address: ipaddr.IPv4): boolean {
  return address.range() === 'unicast';
}

/** The IPv4 address an IPv6 address carries by a standard embedding, if any. */
function embeddedV4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = address.range();
  const bytes = address.toByteArray();
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') {
    return new ipaddr.IPv4(bytes.slice(12, 16));
  }
  if (range === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  // Deprecated IPv4-compatible addresses (::a.b.c.d) are still routed as IPv4 by some stacks.
  if (bytes.slice(0, 12).every((byte) => byte === 0)) return new ipaddr.IPv4(bytes.slice(12, 16));
  return undefined;
}

/**
 * True when `ip` is a globally routable unicast address that `fetchSource` may connect to.
 *
 * Refuses loopback, RFC 1918 private, CGNAT, link-local (including the 169.254.169.254 metadata service),
 * unspecified, broadcast, multicast, documentation/benchmark/reserved ranges, IPv6 unique-local and site-local,
 * Teredo, and IPv6 forms that embed a refused IPv4 address (mapped, translated, NAT64, 6to4, IPv4-compatible).
 * Anything that does not parse as an IP address is refused.
 */
export function isPublicAddress(ip: string): boolean {
  // Zone ids (fe80::1%eth0) only appear on link-local addresses.
  if (ip.includes('%')) return false;
  if (!ipaddr.isValid(ip)) return false;
  const address = ipaddr.parse(ip);
  if (address.kind() === 'ipv4') return ipaddr.IPv4.isValidFourPartDecimal(ip) && isPublicV4(address as ipaddr.IPv4);
  const v6 = address as ipaddr.IPv6;
  const v4 = embeddedV4(v6);
  if (v4 !== undefined) return !v6.match(NAT64_LOCAL_USE) && isPublicV4(v4);
  return v6.match(GLOBAL_UNICAST_V6) && v6.range() === 'unicast';
}

function isLinkLocalOrMetadataV4(address: ipaddr.IPv4): boolean {
  return address.range() === 'linkLocal' || METADATA_ADDRESSES.includes(address.toNormalizedString());
}

/**
 * True for link-local addresses (169.254/16, fe80::/10, and IPv6 forms embedding 169.254/16) and cloud instance
 * metadata services. These are refused even when private hosts are allowed: a development setting must not let a
 * page reach credentials of the machine the worker runs on. Anything that does not parse counts as refused.
 */
export function isLinkLocalOrMetadata(ip: string): boolean {
  if (ip.includes('%') || !ipaddr.isValid(ip)) return true;
  const address = ipaddr.parse(ip);
  if (address.kind() === 'ipv4') {
    return !ipaddr.IPv4.isValidFourPartDecimal(ip) || isLinkLocalOrMetadataV4(address as ipaddr.IPv4);
  }
  const v6 = address as ipaddr.IPv6;
  const v4 = embeddedV4(v6);
  if (v4 !== undefined && isLinkLocalOrMetadataV4(v4)) return true;
  return v6.range() === 'linkLocal' || METADATA_ADDRESSES.includes(v6.toNormalizedString());
}

/**
 * The address policy `fetchSource` applies to every address it connects to: public addresses only, or with
 * `allowPrivateHosts` anything but link-local and metadata addresses.
 */
export function addressPolicy(allowPrivateHosts: boolean): (ip: string) => boolean {
  return allowPrivateHosts ? (ip) => !isLinkLocalOrMetadata(ip) : isPublicAddress;
}

/**
 * True when `url`'s port (explicit, or the scheme's default) may be fetched: any port with `allowPrivateHosts`,
 * otherwise {@link DEFAULT_FETCH_PORTS} and `extraPorts` (FETCH_ALLOWED_PORTS), so that the activity cannot be
 * used to probe services on other ports of public hosts.
 */
export function isAllowedPort(url: URL, allowPrivateHosts: boolean, extraPorts: readonly number[]): boolean {
  if (allowPrivateHosts) return true;
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return DEFAULT_FETCH_PORTS.includes(port) || extraPorts.includes(port);
}
