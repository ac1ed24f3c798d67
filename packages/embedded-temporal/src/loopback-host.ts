import { BlockList, isIP } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/**
 * Whether binding `host` keeps the server reachable from this machine only: `localhost`, 127.0.0.0/8, `::1`
 * (brackets allowed) or an IPv4-mapped 127.x address. Any other name or address, `0.0.0.0` and `::` included,
 * is not. The CLI refuses a non-loopback `--host` without `--allow-remote`, since the server has no
 * authentication.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (/^localhost\.?$/i.test(bare)) return true;
  const family = isIP(bare);
  if (family === 0) return false;
  return loopback.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}
