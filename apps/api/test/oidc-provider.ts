import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export interface TestOidcProvider {
  issuer: string;
  /** Key-set fetches served so far. */
  jwksRequests: number;
  /** Signs a token with the key `kid` (created on first use; published only after `publish(kid)`). */
  sign(claims: JWTPayload, options?: { kid?: string; expiresIn?: string | number; audience?: string }): Promise<string>;
  /** Adds the key `kid` to the published key set (a key rotation). */
  publish(kid: string): Promise<void>;
  close(): Promise<void>;
}

export const TEST_AUDIENCE = 'research-api';

/**
 * An OpenID provider on loopback for tests: discovery document and key set over HTTP, keys generated here, so
 * tokens are verified exactly as in production (no network but loopback).
 */
export async function startOidcProvider(): Promise<TestOidcProvider> {
  const keys = new Map<string, SigningKey>();
  const published = new Set<string>();
  let issuer = '';
  const provider = { jwksRequests: 0 };

  const server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration') {
      response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (request.url === '/jwks') {
      provider.jwksRequests += 1;
      response.end(JSON.stringify({ keys: [...published].map((kid) => keys.get(kid)?.jwk) }));
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function key(kid: string): Promise<SigningKey> {
    const existing = keys.get(kid);
    if (existing) return existing;
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    const created = { kid, privateKey, jwk };
    keys.set(kid, created);
    return created;
  }

  await key('key-1');
  published.add('key-1');

  return Object.assign(provider, {
    issuer,
    async sign(claims: JWTPayload, options: { kid?: string; expiresIn?: string | number; audience?: string } = {}) {
      const { kid, privateKey } = await key(options.kid ?? 'key-1');
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuer(issuer)
        .setAudience(options.audience ?? TEST_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(privateKey);
    },
    async publish(kid: string) {
      await key(kid);
      published.add(kid);
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  });
}
