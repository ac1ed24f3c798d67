import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';

/** Resolves a host name to all of its addresses (the shape of `dns.promises.lookup(host, { all: true })`). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

/** Raised inside the connector when a host is, or resolves to, an address the policy refuses. */
export class AddressBlockedError extends Error {
  override readonly name = 'AddressBlockedError';
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(
      hostname === address
        ? `Refusing to connect to ${address}: not a public address`
        : `Refusing to connect to ${hostname}: it resolves to ${address}, which is not a public address`,
    );
  }
}

const systemResolve: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/**
 * A `net.connect` lookup that resolves, refuses the whole name if any address is refused, and hands the socket
 * exactly the addresses it checked, so what is checked is what is connected to.
 */
function guardedLookup(isAllowed: (address: string) => boolean, resolve: ResolveHost): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    resolve(hostname).then(
      (resolved) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const addresses = family === 4 || family === 6 ? resolved.filter((a) => a.family === family) : resolved;
        const blocked = addresses.find((a) => !isAllowed(a.address));
        const first = addresses[0];
        if (blocked) callback(new AddressBlockedError(hostname, blocked.address), '', 0);
        else if (!first)
          callback(Object.assign(new Error(`No address found for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        else if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

export interface GuardedAgentOptions {
  isAllowed: (address: string) => boolean;
  resolveHost?: ResolveHost | undefined;
  connectTimeoutMs: number;
}

/**
 * An undici `Agent` whose every new connection (first request and each redirect hop) is checked against
 * `isAllowed`: IP literals before connecting, host names after DNS resolution inside the socket's own lookup.
 */
export function createGuardedAgent({
  isAllowed,
  resolveHost = systemResolve,
  connectTimeoutMs,
}: GuardedAgentOptions): Agent {
  const connectChecked = buildConnector({ timeout: connectTimeoutMs, lookup: guardedLookup(isAllowed, resolveHost) });
  const connect: buildConnector.connector = (options, callback) => {
    // net.connect skips the lookup for IP literals, so those are checked here.
    if (isIP(options.hostname) !== 0 && !isAllowed(options.hostname)) {
      callback(new AddressBlockedError(options.hostname, options.hostname), null);
      return;
    }
    connectChecked(options, callback);
  };
  return new Agent({ connect, connections: 4, pipelining: 0 });
}
