import type { ProblemCode } from '../problems/catalogue.js';
import type { Scope } from './scopes.js';

const REALM = 'research-gateway';

/**
 * An authentication or authorization outcome the client must see. `message` is written for the client;
 * `headers` (e.g. `WWW-Authenticate`) go on the problem response.
 */
export abstract class AuthError extends Error {
  abstract readonly code: ProblemCode;
  abstract readonly headers: Record<string, string>;
}

const quoted = (text: string): string => `"${text.replaceAll('\\', '').replaceAll('"', "'")}"`;

/** No credentials were sent (401). */
export class CredentialsMissingError extends AuthError {
  override readonly name = 'CredentialsMissingError';
  readonly code = 'UNAUTHENTICATED';
  readonly headers = { 'www-authenticate': `Bearer realm=${quoted(REALM)}` };
  constructor() {
    super('This route needs credentials: send Authorization: Bearer <API key or access token>.');
  }
}

/** Credentials were sent but are not valid: unknown key, bad signature, expired, wrong issuer or audience (401). */
export class InvalidCredentialsError extends AuthError {
  override readonly name = 'InvalidCredentialsError';
  readonly code = 'INVALID_CREDENTIALS';
  readonly headers: Record<string, string>;
  constructor(reason: string, options?: { cause: unknown }) {
    super(reason, options);
    this.headers = {
      'www-authenticate': `Bearer realm=${quoted(REALM)}, error="invalid_token", error_description=${quoted(reason)}`,
    };
  }
}

/** A valid caller without the scope the route needs (403). */
export class InsufficientScopeError extends AuthError {
  override readonly name = 'InsufficientScopeError';
  readonly code = 'INSUFFICIENT_SCOPE';
  readonly headers: Record<string, string>;
  constructor(
    readonly callerId: string,
    readonly scope: Scope,
  ) {
    super(`The caller "${callerId}" lacks the scope ${scope} that this route needs.`);
    this.headers = {
      'www-authenticate': `Bearer realm=${quoted(REALM)}, error="insufficient_scope", scope="${scope}"`,
    };
  }
}

/** The identity provider's discovery document or keys could not be fetched, so no token can be checked (503). */
export class IdentityProviderUnavailableError extends AuthError {
  override readonly name = 'IdentityProviderUnavailableError';
  readonly code = 'IDENTITY_PROVIDER_UNAVAILABLE';
  readonly headers = { 'retry-after': '5' };
  constructor(options?: { cause: unknown }) {
    super('The identity provider cannot be reached to check the token. Retry later.', options);
  }
}

/** Open mode refuses a `Host` that is not loopback: a page on another site rebinding its name to 127.0.0.1 (421). */
export class HostNotAllowedError extends AuthError {
  override readonly name = 'HostNotAllowedError';
  readonly code = 'HOST_NOT_ALLOWED';
  readonly headers = {};
  constructor() {
    super(
      'Without authentication this API answers only requests addressed to localhost, 127.0.0.1 or [::1]. ' +
        'Configure API_KEYS or OIDC_ISSUER to serve other host names.',
    );
  }
}
