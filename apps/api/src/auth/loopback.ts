import { isIPv4 } from 'node:net';

/** Whether the API's listen address `host` (the `HOST` setting) only accepts connections from this machine. */
export function isLoopbackBindAddress(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name === '::1') return true;
  const v4 = name.startsWith('::ffff:') ? name.slice('::ffff:'.length) : name;
  return isIPv4(v4) && v4.startsWith('127.');
}

// `localhost`, `127.0.0.1` or `[::1]`, each with an optional port; nothing else (no other 127/8 names, no suffixes).
const LOOPBACK_HOST_HEADER = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

/**
 * Whether a request's `Host` header names this machine. Open mode answers only these, so a web page whose
 * name an attacker rebinds to 127.0.0.1 cannot drive the API from a browser (DNS rebinding).
 */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST_HEADER.test(host);
}
