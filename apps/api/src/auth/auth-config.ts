import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { apiKeysSchema } from './api-keys.js';
import type { ApiKey } from './api-keys.js';
import { isLoopbackBindAddress } from './loopback.js';
import type { OidcOptions } from './oidc.js';

const API_KEYS_EXAMPLE = '[{"id":"ci-bot","name":"CI","keySha256":"<64 hex>","scopes":["research:submit"]}]';

function parseJson(text: string, ctx: z.RefinementCtx): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: `must be a JSON array such as ${API_KEYS_EXAMPLE}` });
    return z.NEVER;
  }
}

const apiKeysJson = z.string().transform(parseJson).pipe(apiKeysSchema);

const apiKeysFile = z
  .string()
  .transform((path, ctx) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `cannot read ${path}: ${(error as Error).message}` });
      return z.NEVER;
    }
    return parseJson(text, ctx);
  })
  .pipe(apiKeysSchema);

// Tokens are only as trustworthy as the key set they are checked against, so it must come over TLS;
// plain http is accepted for a provider on this machine (development and tests).
const issuerUrl = z.url().refine((text) => {
  const url = new URL(text);
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackBindAddress(url.hostname));
}, 'must be an https URL (http only for a loopback host)');

/** The API's authentication, rate-limit and running-cap variables; `config.ts` extends its schema with them. */
export const authEnvShape = {
  API_KEYS: apiKeysJson.optional(),
  API_KEYS_FILE: apiKeysFile.optional(),
  OIDC_ISSUER: issuerUrl.optional(),
  OIDC_AUDIENCE: z.string().min(1).optional(),
  OIDC_ROLES_CLAIM: z
    .string()
    .regex(
      /^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/,
      'must be a claim name or a dotted path such as realm_access.roles',
    )
    .optional(),
  OIDC_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  AUTH_DISABLED: z.stringbool().default(false),
  REQUIRE_DISTINCT_APPROVER: z.stringbool().default(true),
  RATE_LIMIT_MAX: z.coerce.number().int().positive().default(300),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
  MAX_RUNNING_PER_CALLER: z.coerce.number().int().positive().optional(),
};

interface AuthEnv {
  HOST: string;
  API_KEYS?: ApiKey[] | undefined;
  API_KEYS_FILE?: ApiKey[] | undefined;
  OIDC_ISSUER?: string | undefined;
  OIDC_AUDIENCE?: string | undefined;
  OIDC_ROLES_CLAIM?: string | undefined;
  OIDC_JWKS_COOLDOWN_MS: number;
  AUTH_DISABLED: boolean;
}

/** Cross-field rules of {@link authEnvShape}; use with `.superRefine(checkAuthEnv)`. */
export function checkAuthEnv(env: AuthEnv, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', message, path: [path] });
  if (env.API_KEYS !== undefined && env.API_KEYS_FILE !== undefined) {
    issue('API_KEYS_FILE', 'set API_KEYS or API_KEYS_FILE, not both');
  }
  if ((env.OIDC_ISSUER === undefined) !== (env.OIDC_AUDIENCE === undefined)) {
    issue('OIDC_AUDIENCE', 'OIDC_ISSUER and OIDC_AUDIENCE must be set together');
  }
  if (env.OIDC_ROLES_CLAIM !== undefined && env.OIDC_ISSUER === undefined) {
    issue('OIDC_ROLES_CLAIM', 'needs OIDC_ISSUER');
  }
  const open = authSettings(env).open;
  if (open && !env.AUTH_DISABLED && !isLoopbackBindAddress(env.HOST)) {
    issue(
      'HOST',
      `${env.HOST} is not a loopback address and no authentication is configured: set API_KEYS, API_KEYS_FILE ` +
        'or OIDC_ISSUER and OIDC_AUDIENCE, or AUTH_DISABLED=true to serve without authentication on purpose',
    );
  }
}

export interface AuthSettings {
  /** No authentication configured: every caller is the anonymous open-mode caller. */
  open: boolean;
  apiKeys: ApiKey[] | undefined;
  oidc: OidcOptions | undefined;
}

/** The authentication methods the parsed settings configure. */
export function authSettings(env: Omit<AuthEnv, 'HOST' | 'AUTH_DISABLED'>): AuthSettings {
  const apiKeys = env.API_KEYS ?? env.API_KEYS_FILE;
  const oidc =
    env.OIDC_ISSUER !== undefined && env.OIDC_AUDIENCE !== undefined
      ? {
          issuer: env.OIDC_ISSUER,
          audience: env.OIDC_AUDIENCE,
          rolesClaim: env.OIDC_ROLES_CLAIM,
          jwksCooldownMs: env.OIDC_JWKS_COOLDOWN_MS,
        }
      : undefined;
  return { open: apiKeys === undefined && oidc === undefined, apiKeys, oidc };
}
