import type { ApiKey } from './api-keys.js';
import { apiKeyMatcher } from './api-keys.js';
import type { Caller } from './caller.js';
import { CredentialsMissingError, InvalidCredentialsError } from './errors.js';
import { oidcVerifier } from './oidc.js';
import type { OidcOptions } from './oidc.js';

/** Turns an `Authorization` header into a caller. */
export type Authenticator = (authorization: string | undefined) => Promise<Caller>;

export interface AuthenticatorOptions {
  apiKeys?: readonly ApiKey[] | undefined;
  oidc?: OidcOptions | undefined;
}

const BEARER = /^Bearer +([\x21-\x7E]+) *$/i;
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/**
 * Builds the authenticator of the configured methods. A bearer token is first looked up among the API keys (by
 * hash); one that is not a key and is shaped like a JWT is verified as an OIDC access token when OIDC is configured.
 * Used by the auth plugin.
 *
 * The returned function throws CredentialsMissingError without an `Authorization` header, InvalidCredentialsError
 * for anything not accepted, and IdentityProviderUnavailableError when OIDC keys cannot be fetched.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const matchKey = apiKeyMatcher(options.apiKeys ?? []);
  const verifyToken = options.oidc ? oidcVerifier(options.oidc) : undefined;
  return async (authorization) => {
    if (authorization === undefined || authorization.trim() === '') throw new CredentialsMissingError();
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) throw new InvalidCredentialsError('Send credentials as Authorization: Bearer <token>.');
    const key = matchKey(token);
    if (key) return { id: key.id, name: key.name, method: 'api-key', scopes: key.scopes };
    if (verifyToken && JWT_SHAPE.test(token)) return verifyToken(token);
    throw new InvalidCredentialsError(verifyToken ? 'The token is not a known API key or a JWT.' : 'Unknown API key.');
  };
}
