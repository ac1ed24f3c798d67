import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { Caller } from './caller.js';
import { IdentityProviderUnavailableError, InvalidCredentialsError } from './errors.js';
import { knownScopes } from './scopes.js';

export interface OidcOptions {
  /** `OIDC_ISSUER`: the `iss` tokens must carry; its discovery document names the key set. */
  issuer: string;
  /** `OIDC_AUDIENCE`: the `aud` tokens must carry. */
  audience: string;
  /** `OIDC_ROLES_CLAIM`: read scopes from this claim (a dotted path) instead of `scope`/`scp`. */
  rolesClaim?: string | undefined;
  /** Least time between two key-set fetches; an unknown `kid` refetches once this has passed. */
  jwksCooldownMs: number;
  /** Deadline of each discovery or key-set fetch. */
  fetchTimeoutMs?: number;
}

// Keys come from the provider's key set, so only asymmetric algorithms can verify; listing them shuts out `none`
// and HMAC confusion outright.
const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
const CLOCK_TOLERANCE_S = 30;
const KEY_SET_MAX_AGE_MS = 10 * 60_000;

const discoverySchema = z.looseObject({ issuer: z.string(), jwks_uri: z.url() });

/** What the token says about why it was refused; anything else means the provider could not be asked. */
function invalidTokenReason(error: unknown): string | undefined {
  if (error instanceof errors.JWTExpired) return 'The token has expired.';
  if (error instanceof errors.JWTClaimValidationFailed) return `The token's ${error.claim} claim is not accepted.`;
  if (error instanceof errors.JWKSNoMatchingKey) return "The token's signing key is not in the issuer's key set.";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "The token's signature is not valid.";
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return 'The token is malformed or uses an algorithm that is not accepted.';
  }
  return undefined;
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

function callerFrom(payload: JWTPayload, rolesClaim: string | undefined): Caller {
  if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 200) {
    throw new InvalidCredentialsError('The token has no usable sub claim.');
  }
  const granted = rolesClaim
    ? stringsOf(claimAt(payload, rolesClaim))
    : [...stringsOf(payload.scope), ...stringsOf(payload.scp)];
  const name = [payload.name, payload.preferred_username, payload.email].find(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
  return { id: payload.sub, name: (name ?? payload.sub).slice(0, 200), method: 'oidc', scopes: knownScopes(granted) };
}

/**
 * Returns a verifier of OIDC access tokens (JWTs) for `options.issuer`: discovery on first use, then the
 * provider's key set, cached and refetched when a token names an unknown key id (at most once per cooldown).
 * Called by the auth plugin for bearer tokens shaped like JWTs.
 *
 * The returned function throws InvalidCredentialsError for a token that fails verification (expired, wrong
 * audience or issuer, unknown key, bad signature) and IdentityProviderUnavailableError when discovery or the key
 * set cannot be fetched.
 */
export function oidcVerifier(options: OidcOptions): (token: string) => Promise<Caller> {
  const timeoutMs = options.fetchTimeoutMs ?? 5_000;
  let keySet: Promise<JWTVerifyGetKey> | undefined;

  async function discover(): Promise<JWTVerifyGetKey> {
    const base = options.issuer.endsWith('/') ? options.issuer : `${options.issuer}/`;
    const response = await fetch(new URL('.well-known/openid-configuration', base), {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    if (!response.ok) throw new Error(`OIDC discovery answered ${response.status}`);
    const document = discoverySchema.parse(await response.json());
    if (document.issuer !== options.issuer) {
      throw new Error(`OIDC discovery names issuer ${document.issuer}, not ${options.issuer}`);
    }
    return createRemoteJWKSet(new URL(document.jwks_uri), {
      cooldownDuration: options.jwksCooldownMs,
      cacheMaxAge: KEY_SET_MAX_AGE_MS,
      timeoutDuration: timeoutMs,
    });
  }

  function keys(): Promise<JWTVerifyGetKey> {
    // A failed discovery is retried by the next request rather than cached.
    keySet ??= discover().catch((error: unknown) => {
      keySet = undefined;
      throw error;
    });
    return keySet;
  }

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keys(), {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      const reason = invalidTokenReason(error);
      if (reason !== undefined) throw new InvalidCredentialsError(reason, { cause: error });
      throw new IdentityProviderUnavailableError({ cause: error });
    }
    return callerFrom(payload, options.rolesClaim);
  };
}
