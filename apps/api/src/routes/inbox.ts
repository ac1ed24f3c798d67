import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** `apps/api/inbox`, from `src/routes` and from `dist/routes` alike. */
export const INBOX_ASSETS_DIR = fileURLToPath(new URL('../../inbox/', import.meta.url));

export const INBOX_ASSETS_PREFIX = '/inbox/';

/**
 * The inbox's policy: its own scripts, styles and API calls only; no inline script or style, no plugin, no frame,
 * no base or form target elsewhere; and Trusted Types with no policy, so no string can ever reach an HTML sink
 * (`innerHTML` and kin throw): the LLM's draft can only be shown as text.
 */
export const INBOX_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const INBOX_HEADERS = {
  'content-security-policy': INBOX_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
} as const;

// The page's modules and stylesheet (the page itself is `/`); the folder's README and anything else is not served.
const SERVED_FILE = /^[a-z0-9-]+\.(?:js|css)$/;

// Public (the page holds no data; every API call it makes carries the reviewer's credentials), hidden from the
// OpenAPI document, and rate limited like every other route.
const ASSET_ROUTE = { schema: { hide: true }, config: { public: true } } as const;

/**
 * The reviewer inbox: `GET /` serves its page and `GET /inbox/<file>` its ES modules and stylesheet, as they are
 * in `apps/api/inbox` (no build step), with a strict Content-Security-Policy on these routes only (the Swagger UI
 * under `/docs` keeps its own headers).
 */
export const inboxRoutes: FastifyPluginAsync = async (app) => {
  // Only the reply.sendFile decorator, inside this plugin: the routes below decide what is served.
  await app.register(fastifyStatic, {
    root: INBOX_ASSETS_DIR,
    serve: false,
    index: false,
    dotfiles: 'deny',
  });
  app.addHook('onSend', async (_request, reply) => {
    void reply.headers(INBOX_HEADERS);
  });

  app.get('/', ASSET_ROUTE, async (_request, reply) => reply.sendFile('index.html'));
  // One route per file, listed at start-up: any other path under the prefix is an ordinary 404.
  const files = (await readdir(INBOX_ASSETS_DIR)).filter((file) => SERVED_FILE.test(file));
  for (const file of files) {
    app.get(`${INBOX_ASSETS_PREFIX}${file}`, ASSET_ROUTE, async (_request, reply) => reply.sendFile(file));
  }
};
