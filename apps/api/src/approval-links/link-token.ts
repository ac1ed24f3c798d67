import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { actorSchema, sha256HexSchema } from '@research/contracts';
import type { Actor } from '@research/contracts';
import { z } from 'zod';

/** What a signed approval link stands for: one reviewer, one draft of one pipeline, until `expiresAt`. */
export interface LinkClaims {
  workflowId: string;
  draftSha256: string;
  reviewer: Actor;
  /** Unix time in seconds. */
  expiresAt: number;
  /** Random, so two links issued in the same second differ. */
  nonce: string;
}

const claimsSchema = z
  .object({
    workflowId: z.string().min(1).max(400),
    draftSha256: sha256HexSchema,
    reviewer: actorSchema,
    expiresAt: z.number().int().positive(),
    nonce: z.string().min(1).max(64),
  })
  .strict();

const TOKEN_SHAPE = /^([\w-]{1,2000})\.([\w-]{43})$/;

function sign(secret: string, payload: string): Buffer {
  // Domain-separated, so the secret signs nothing else by accident.
  return createHmac('sha256', secret).update(`approval-link.v1.${payload}`).digest();
}

/**
 * Issues a link token: base64url(JSON claims) "." base64url(HMAC-SHA256). Called by `POST
 * /workflows/:id/approval-links`.
 */
export function issueLinkToken(
  secret: string,
  claims: Omit<LinkClaims, 'nonce'>,
): { token: string; claims: LinkClaims } {
  const full: LinkClaims = { ...claims, nonce: randomBytes(12).toString('base64url') };
  const payload = Buffer.from(JSON.stringify(full), 'utf8').toString('base64url');
  return { token: `${payload}.${sign(secret, payload).toString('base64url')}`, claims: full };
}

/** Outcome of {@link readLinkToken}. */
export type LinkTokenCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'expired'; claims: LinkClaims };

/**
 * Checks a token's signature (in constant time) and expiry. A token that is malformed, signed with another secret
 * or altered is `invalid`; its claims are never read before the signature holds.
 */
export function readLinkToken(secret: string, token: string, nowMs: number = Date.now()): LinkTokenCheck {
  const match = TOKEN_SHAPE.exec(token);
  if (!match) return { ok: false, reason: 'invalid' };
  const [, payload = '', signature = ''] = match;
  const expected = sign(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const claims = claimsSchema.safeParse(parsed);
  if (!claims.success) return { ok: false, reason: 'invalid' };
  if (claims.data.expiresAt * 1000 <= nowMs) return { ok: false, reason: 'expired', claims: claims.data };
  return { ok: true, claims: claims.data };
}
