import type { Actor } from '@research/contracts';
import { SCOPES } from './scopes.js';
import type { Scope } from './scopes.js';

/** How a caller was identified; `open` means no authentication is configured. */
export type AuthMethod = 'api-key' | 'oidc' | 'open';

/** Who is calling, set on every request by the auth plugin (`request.caller`). */
export interface Caller {
  /** Stable id: the API key's `id`, or the token's `sub`. */
  id: string;
  name: string;
  method: AuthMethod;
  scopes: readonly Scope[];
}

/** The caller of every request when no authentication is configured: anyone on loopback, allowed everything. */
export const OPEN_CALLER: Caller = { id: 'anonymous', name: 'Anonymous (open mode)', method: 'open', scopes: SCOPES };

/** The caller as recorded on a pipeline, or undefined in open mode, where nobody is identified. */
export function actorOf(caller: Caller): Actor | undefined {
  return caller.method === 'open' ? undefined : { id: caller.id, name: caller.name };
}
