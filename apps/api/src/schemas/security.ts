import type { Scope } from '../auth/scopes.js';

/**
 * The OpenAPI security schemes. Both arrive as `Authorization: Bearer`; they are two schemes so that each
 * operation's scopes name where a credential comes from.
 */
export const SECURITY_SCHEMES = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key whose sha256 is listed in API_KEYS (or API_KEYS_FILE) with its scopes.',
  },
  oidc: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An access token issued by OIDC_ISSUER for OIDC_AUDIENCE; scopes from its scope/scp claim or OIDC_ROLES_CLAIM.',
  },
} as const;

/** The `security` of an operation that needs `scope` (`research:admin` also passes). */
export function securedBy(scope: Scope): Partial<Record<keyof typeof SECURITY_SCHEMES, Scope[]>>[] {
  return [{ apiKey: [scope] }, { oidc: [scope] }];
}
