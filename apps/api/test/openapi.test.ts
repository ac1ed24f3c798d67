import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { OPENAPI_YAML_PATH } from '../src/openapi.js';
import { stubGateway, testApp } from './support.js';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
  components: { schemas: Record<string, unknown>; securitySchemes?: Record<string, { type: string; scheme: string }> };
};

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, found));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') found.push(child);
      else refsIn(child, found);
    }
  }
  return found;
}

describe('OpenAPI document', () => {
  test('openapi.yaml equals the document served at /docs/json (regenerate: npm run openapi -w @research/api)', async (t) => {
    const app = testApp(t, stubGateway());
    const served = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const committed = parse(readFileSync(OPENAPI_YAML_PATH, 'utf8'));
    assert.deepEqual(committed, served);
  });

  test('is OpenAPI 3.x with the three routes, problem responses and resolvable refs', async (t) => {
    const app = testApp(t, stubGateway());
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<Doc>();
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.ok(doc.paths['/research']?.post, 'POST /research');
    assert.ok(doc.paths['/workflows/{id}']?.get, 'GET /workflows/{id}');
    assert.ok(doc.paths['/workflows/{id}/approve']?.post, 'POST /workflows/{id}/approve');
    assert.deepEqual(Object.keys(doc.paths['/research'].post.responses).sort(), [
      '200',
      '202',
      '400',
      '401',
      '403',
      '413',
      '415',
      '422',
      '429',
      '500',
      '503',
    ]);
    assert.ok(doc.paths['/workflows/{id}/approve'].post.responses['409']);
    assert.ok(doc.components.schemas.Problem);
    for (const ref of refsIn(doc)) {
      const name = ref.replace('#/components/schemas/', '');
      assert.ok(ref.startsWith('#/components/schemas/') && doc.components.schemas[name], `unresolved ${ref}`);
    }
    assert.ok(!Object.keys(doc.paths).some((path) => path.startsWith('/docs')), 'docs routes are hidden');
  });

  test("declares the bearer security schemes, each operation's scope and its 401, 403 and 429 answers", async (t) => {
    const app = testApp(t, stubGateway());
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<Doc>();
    assert.deepEqual(
      Object.entries(doc.components.securitySchemes ?? {}).map(([name, s]) => [name, s.type, s.scheme]),
      [
        ['apiKey', 'http', 'bearer'],
        ['oidc', 'http', 'bearer'],
      ],
    );
    const secured = [
      ['/research', 'post', 'research:submit'],
      ['/workflows/{id}', 'get', 'research:read'],
      ['/workflows/{id}/approve', 'post', 'research:approve'],
    ] as const;
    for (const [path, method, scope] of secured) {
      const operation = doc.paths[path]![method]!;
      assert.deepEqual(operation.security, [{ apiKey: [scope] }, { oidc: [scope] }], `${method} ${path}`);
      for (const status of ['401', '403', '429']) assert.ok(operation.responses[status], `${method} ${path} ${status}`);
    }
    for (const path of ['/healthz', '/readyz']) assert.deepEqual(doc.paths[path]!.get!.security, [], path);
  });

  test('serves Swagger UI and its assets at /docs', async (t) => {
    const app = testApp(t, stubGateway());
    const page = await app.inject({ method: 'GET', url: '/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    const asset = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    assert.equal(asset.statusCode, 200);
    assert.ok(asset.body.length > 10_000);
  });
});
