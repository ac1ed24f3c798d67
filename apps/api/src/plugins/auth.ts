import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { AuthSettings } from '../auth/auth-config.js';
import { createAuthenticator } from '../auth/authenticator.js';
import { OPEN_CALLER } from '../auth/caller.js';
import type { Caller } from '../auth/caller.js';
import { AuthError, CredentialsMissingError, HostNotAllowedError, InsufficientScopeError } from '../auth/errors.js';
import { isLoopbackBindAddress, isLoopbackHostHeader } from '../auth/loopback.js';
import { allows } from '../auth/scopes.js';
import type { Scope } from '../auth/scopes.js';
import { DOCS_PREFIX } from './swagger.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a caller needs for this route; every route declares a scope or `public: true`. */
    scope?: Scope;
    /** Served to anyone, with no credentials (probes). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** Who is calling; null until resolved, and when the credentials were refused. */
    caller: Caller | null;
    /** Why the credentials were refused, reported by the route's scope check (public routes ignore it). */
    authFailure: AuthError | null;
  }
}

export interface AuthPluginOptions {
  settings: AuthSettings;
  /** The listen address (`HOST`): open mode on loopback answers only loopback `Host` headers. */
  host: string;
}

/**
 * The caller of a request that passed its route's scope check; route handlers call it.
 *
 * @throws CredentialsMissingError when no caller was resolved (a route without a scope).
 */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new CredentialsMissingError();
  return request.caller;
}

function scopeCheck(scope: Scope) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.authFailure) throw request.authFailure;
    const caller = request.caller;
    if (!caller) throw new CredentialsMissingError();
    if (!allows(caller.scopes, scope)) throw new InsufficientScopeError(caller.id, scope);
  };
}

function appendOnRequest(route: RouteOptions, hook: ReturnType<typeof scopeCheck>): void {
  const existing = route.onRequest;
  route.onRequest = existing === undefined ? [hook] : Array.isArray(existing) ? [...existing, hook] : [existing, hook];
}

/**
 * Resolves `request.caller` on every request (API key, OIDC token, or the open-mode caller when no authentication
 * is configured) and enforces each route's `config.scope` in the route's `onRequest`, before the body is read.
 * A route that declares neither `config.scope` nor `config.public` fails registration, so a new route cannot be
 * served unprotected by accident; the Swagger UI under `/docs` is public. In open mode bound to loopback, requests
 * whose `Host` is not loopback get 421 HOST_NOT_ALLOWED (DNS rebinding).
 */
export const authPlugin = fp<AuthPluginOptions>(
  async (app: FastifyInstance, { settings, host }) => {
    const authenticate = settings.open ? undefined : createAuthenticator(settings);
    const guardHost = settings.open && isLoopbackBindAddress(host);

    app.decorateRequest('caller', null);
    app.decorateRequest('authFailure', null);

    app.addHook('onRequest', async (request) => {
      if (guardHost && !isLoopbackHostHeader(request.headers.host)) throw new HostNotAllowedError();
      if (!authenticate) {
        request.caller = OPEN_CALLER;
        return;
      }
      try {
        request.caller = await authenticate(request.headers.authorization);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        request.authFailure = error;
      }
    });

    app.addHook('onRoute', (route) => {
      const scope = route.config?.scope;
      if (scope !== undefined) appendOnRequest(route, scopeCheck(scope));
      else if (route.config?.public !== true && !route.url.startsWith(DOCS_PREFIX)) {
        throw new Error(`${String(route.method)} ${route.url} declares neither config.scope nor config.public`);
      }
    });

    app.addHook('onListen', async () => {
      if (settings.open) {
        app.log.warn(
          guardHost
            ? 'AUTHENTICATION IS OFF: anyone on this machine can start and approve pipelines. ' +
                'Set API_KEYS or OIDC_ISSUER before exposing the API.'
            : `AUTHENTICATION IS OFF (AUTH_DISABLED=true) and the API listens on ${host}: anyone who reaches it ` +
                'can start and approve pipelines.',
        );
      }
    });
  },
  { name: 'auth' },
);
