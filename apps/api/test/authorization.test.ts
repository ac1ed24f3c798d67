import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { TestContext } from 'node:test';
import {
  bearer,
  problemOf,
  sampleView,
  stubGateway,
  testApiKey,
  testApp,
  testConfig,
  VALID_REQUEST,
} from './support.js';
import { startOidcProvider, TEST_AUDIENCE } from './oidc-provider.js';
import type { TestOidcProvider } from './oidc-provider.js';
import { closedPort } from './ports.js';

// Every protected route, what it needs and what it answers when allowed (the gateway is stubbed to succeed). A route
// added without a line here fails 'lists every protected route' below.
const ROUTES = [
  { scope: 'research:submit', method: 'POST', url: '/research', payload: VALID_REQUEST, ok: 202 },
  { scope: 'research:read', method: 'GET', url: '/workflows/research-1', ok: 200 },
  {
    scope: 'research:approve',
    method: 'POST',
    url: '/workflows/research-1/approve',
    payload: { approved: true },
    ok: 200,
  },
  { scope: 'research:read', method: 'GET', url: '/workflows?stage=awaiting_approval', ok: 200 },
  { scope: 'research:read', method: 'GET', url: '/workflows/research-1/events', ok: 200 },
  { scope: 'research:read', method: 'GET', url: '/workflows/research-1/audit', ok: 200 },
  { scope: 'research:submit', method: 'POST', url: '/workflows/research-1/cancel', ok: 202 },
  {
    scope: 'research:approve',
    method: 'POST',
    url: '/workflows/research-1/approval-links',
    payload: { reviewer: { id: 'ben', name: 'Ben' } },
    ok: 201,
  },
  { scope: 'research:admin', method: 'GET', url: '/metrics', ok: 200 },
] as const;
const SCOPES = [...new Set(ROUTES.map((route) => route.scope))];
const LINK_SECRET = 'authorization-test-link-secret-of-32-bytes-or-more';
const awaitingView = () =>
  sampleView({ draft: { ...sampleView().draft!, version: 1, sha256: 'a'.repeat(64) }, submittedBy: null });
const otherScope = (scope: string) => SCOPES.find((s) => s !== scope)!;

const succeedingGateway = () =>
  stubGateway({
    startResearch: async () => ({
      created: true,
      workflowId: 'research-1',
      runId: 'run-1',
      status: 'RUNNING',
      stage: 'queued',
    }),
    getWorkflow: async () => awaitingView(),
    listWorkflows: async () => ({ items: [], nextCursor: null }),
    openEvents: async () => (async function* () {})(),
    getReceipts: async () => [],
    cancel: async (workflowId) => ({ workflowId, runId: 'run-1', status: 'RUNNING', stage: 'awaiting_approval' }),
    approve: async (_id, request, options) => ({
      approved: request.approved,
      comment: null,
      reviewer: options?.decidedBy?.id ?? null,
      decidedAt: '2025-01-01T00:03:00.000Z',
    }),
    ready: async () => {},
  });

type Route = (typeof ROUTES)[number];

function call(app: FastifyInstance, route: Route, headers: Record<string, string> = {}) {
  return app.inject({
    method: route.method,
    url: route.url,
    headers,
    ...('payload' in route ? { payload: route.payload } : {}),
  });
}

function assertUnauthorized(response: Awaited<ReturnType<typeof call>>, code: string, label: string): void {
  assert.equal(response.statusCode, 401, `${label}: ${response.body}`);
  assert.equal(problemOf(response).code, code, label);
  assert.match(String(response.headers['www-authenticate']), /^Bearer realm="research-gateway"/, label);
}

describe('authorization with API keys', () => {
  const keys = Object.fromEntries(
    [...SCOPES, 'research:admin'].map((scope) => [scope, testApiKey(scope.replace(':', '-'), [scope])]),
  );
  const appWithKeys = (t: TestContext) =>
    testApp(t, succeedingGateway(), {
      config: testConfig({
        API_KEYS: JSON.stringify(Object.values(keys).map((k) => k.entry)),
        APPROVAL_LINK_SECRET: LINK_SECRET,
      }),
    });

  test('lists every protected route', async (t) => {
    const app = appWithKeys(t);
    const scoped: string[] = [];
    // Added before the route plugins load (at ready), so it sees every route they add.
    app.addHook('onRoute', (route) => {
      const methods = [route.method].flat().filter((method) => method !== 'HEAD');
      if (route.config?.scope) scoped.push(...methods.map((method) => `${method} ${route.url}`));
    });
    await app.ready();
    const listed = new Set(
      ROUTES.map((route) => `${route.method} ${route.url.split('?')[0]!.replaceAll('research-1', ':id')}`),
    );
    assert.ok(scoped.length > 0);
    for (const route of scoped) assert.ok(listed.has(route), `${route} is missing from ROUTES`);
  });

  for (const route of ROUTES) {
    test(`${route.method} ${route.url}: 401 without a credential, 403 with another scope, ${route.ok} with ${route.scope} or admin`, async (t) => {
      const app = appWithKeys(t);
      const none = await call(app, route);
      assertUnauthorized(none, 'UNAUTHENTICATED', 'no credential');

      const wrong = await call(app, route, bearer(keys[otherScope(route.scope)]!.key));
      assert.equal(wrong.statusCode, 403, wrong.body);
      assert.equal(problemOf(wrong).code, 'INSUFFICIENT_SCOPE');
      assert.match(
        String(wrong.headers['www-authenticate']),
        new RegExp(`insufficient_scope", scope="${route.scope}"`),
      );

      const unknown = await call(app, route, bearer('not-a-configured-key'));
      assertUnauthorized(unknown, 'INVALID_CREDENTIALS', 'unknown key');
      assert.match(String(unknown.headers['www-authenticate']), /error="invalid_token"/);

      const basic = await call(app, route, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
      assertUnauthorized(basic, 'INVALID_CREDENTIALS', 'basic scheme');

      for (const scope of [route.scope, 'research:admin']) {
        const allowed = await call(app, route, bearer(keys[scope]!.key));
        assert.equal(allowed.statusCode, route.ok, `${scope}: ${allowed.body}`);
      }
    });
  }

  test('refuses a request without credentials before reading its body', async (t) => {
    const app = appWithKeys(t);
    const response = await app.inject({
      method: 'POST',
      url: '/research',
      headers: { 'content-type': 'application/json' },
      payload: '{"not json',
    });
    assertUnauthorized(response, 'UNAUTHENTICATED', 'malformed body');
  });

  test('serves /healthz, /readyz and the OpenAPI document without credentials', async (t) => {
    const app = appWithKeys(t);
    for (const url of ['/healthz', '/readyz', '/docs/json']) {
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url);
    }
  });

  test('never writes the presented key to the log', async (t) => {
    const logLines: Record<string, unknown>[] = [];
    const app = testApp(t, succeedingGateway(), {
      config: testConfig({ API_KEYS: JSON.stringify([keys['research:read']!.entry]) }),
      logLines,
    });
    await call(app, ROUTES[1], bearer(keys['research:read']!.key));
    await call(app, ROUTES[1], bearer('wrong-secret-value'));
    const logged = JSON.stringify(logLines);
    assert.ok(logLines.length > 0);
    assert.doesNotMatch(logged, new RegExp(keys['research:read']!.key));
    assert.doesNotMatch(logged, /wrong-secret-value/);
  });
});

describe('authorization with OIDC tokens', () => {
  let provider: TestOidcProvider;
  before(async () => {
    provider = await startOidcProvider();
  });
  after(() => provider?.close());

  const appWithOidc = (t: TestContext, env: Record<string, string> = {}) =>
    testApp(t, succeedingGateway(), {
      config: testConfig({
        OIDC_ISSUER: provider.issuer,
        OIDC_AUDIENCE: TEST_AUDIENCE,
        APPROVAL_LINK_SECRET: LINK_SECRET,
        ...env,
      }),
    });

  for (const route of ROUTES) {
    test(`${route.method} ${route.url}: 401 without a token, 403 with another scope, ${route.ok} with ${route.scope} or admin`, async (t) => {
      const app = appWithOidc(t);
      assertUnauthorized(await call(app, route), 'UNAUTHENTICATED', 'no token');

      const wrong = await call(
        app,
        route,
        bearer(await provider.sign({ sub: 'u1', scope: `openid ${otherScope(route.scope)}` })),
      );
      assert.equal(wrong.statusCode, 403, wrong.body);
      assert.equal(problemOf(wrong).code, 'INSUFFICIENT_SCOPE');

      const scope = await call(app, route, bearer(await provider.sign({ sub: 'u1', scope: `openid ${route.scope}` })));
      assert.equal(scope.statusCode, route.ok, scope.body);
      const scp = await call(app, route, bearer(await provider.sign({ sub: 'u1', scp: [route.scope] })));
      assert.equal(scp.statusCode, route.ok, scp.body);
      const admin = await call(app, route, bearer(await provider.sign({ sub: 'u1', scope: 'research:admin' })));
      assert.equal(admin.statusCode, route.ok, admin.body);

      const claims = { sub: 'u1', scope: route.scope };
      const refused = {
        expired: await provider.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 120 }),
        'wrong audience': await provider.sign(claims, { audience: 'another-api' }),
        'unknown key id': await provider.sign(claims, { kid: 'never-published' }),
      };
      for (const [label, token] of Object.entries(refused)) {
        assertUnauthorized(await call(app, route, bearer(token)), 'INVALID_CREDENTIALS', label);
      }
    });
  }

  test('refuses an expired token, a token for another audience and a token signed by an unknown key with 401', async (t) => {
    const app = appWithOidc(t);
    const route = ROUTES[1];
    const claims = { sub: 'u1', scope: 'research:read' };
    const cases = {
      expired: await provider.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 120 }),
      'wrong audience': await provider.sign(claims, { audience: 'another-api' }),
      'unknown key id': await provider.sign(claims, { kid: 'never-published' }),
      'not signed': `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`,
    };
    for (const [label, token] of Object.entries(cases)) {
      const response = await call(app, route, bearer(token));
      assertUnauthorized(response, 'INVALID_CREDENTIALS', label);
    }
    assert.match(problemOf(await call(app, route, bearer(cases.expired))).detail, /expired/);
  });

  test('fetches the key set again for an unknown key id, so a rotated key is accepted once published', async (t) => {
    const app = appWithOidc(t, { OIDC_JWKS_COOLDOWN_MS: '0' });
    const route = ROUTES[1];
    const claims = { sub: 'u1', scope: 'research:read' };
    assert.equal((await call(app, route, bearer(await provider.sign(claims)))).statusCode, 200);
    const fetchesBefore = provider.jwksRequests;
    const rotated = await provider.sign(claims, { kid: 'key-rotated' });
    assertUnauthorized(await call(app, route, bearer(rotated)), 'INVALID_CREDENTIALS', 'not yet published');
    await provider.publish('key-rotated');
    assert.equal((await call(app, route, bearer(rotated))).statusCode, 200);
    assert.ok(provider.jwksRequests > fetchesBefore, 'the key set was fetched again');
  });

  test('reads scopes from OIDC_ROLES_CLAIM when set, ignoring the scope claim', async (t) => {
    const app = appWithOidc(t, { OIDC_ROLES_CLAIM: 'realm_access.roles' });
    const token = await provider.sign({
      sub: 'u1',
      scope: 'research:submit',
      realm_access: { roles: ['research:read'] },
    });
    assert.equal((await call(app, ROUTES[1], bearer(token))).statusCode, 200);
    assert.equal((await call(app, ROUTES[0], bearer(token))).statusCode, 403);
  });

  test('answers 503 IDENTITY_PROVIDER_UNAVAILABLE when the issuer cannot be reached', async (t) => {
    const issuer = `http://127.0.0.1:${await closedPort()}`;
    const app = testApp(t, succeedingGateway(), {
      config: testConfig({ OIDC_ISSUER: issuer, OIDC_AUDIENCE: TEST_AUDIENCE }),
    });
    const token = await provider.sign({ sub: 'u1', scope: 'research:read' });
    const response = await call(app, ROUTES[1], bearer(token));
    assert.equal(response.statusCode, 503, response.body);
    assert.equal(problemOf(response).code, 'IDENTITY_PROVIDER_UNAVAILABLE');
  });
});

describe('HEAD requests', () => {
  test('need the same scope as GET', async (t) => {
    const reader = testApiKey('reader', ['research:read']);
    const app = testApp(t, succeedingGateway(), { config: testConfig({ API_KEYS: JSON.stringify([reader.entry]) }) });
    assert.equal((await app.inject({ method: 'HEAD', url: '/workflows/research-1' })).statusCode, 401);
    const allowed = await app.inject({ method: 'HEAD', url: '/workflows/research-1', headers: bearer(reader.key) });
    assert.equal(allowed.statusCode, 200);
  });
});
