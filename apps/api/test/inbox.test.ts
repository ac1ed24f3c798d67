import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { INBOX_ASSETS_DIR, INBOX_CONTENT_SECURITY_POLICY } from '../src/routes/inbox.js';
import { problemOf, stubGateway, testApiKey, testApp, testConfig } from './support.js';

const keyed = () => testConfig({ API_KEYS: JSON.stringify([testApiKey('ana', ['research:read']).entry]) });

describe('reviewer inbox assets', () => {
  test('serves the page at / with a strict Content-Security-Policy: own scripts and styles only, nothing inline', async (t) => {
    const app = testApp(t, stubGateway());
    const page = await app.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    assert.equal(csp, INBOX_CONTENT_SECURITY_POLICY);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /require-trusted-types-for 'script'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['x-frame-options'], 'DENY');
    // Nothing the policy would block: no inline script or style in the page itself.
    assert.doesNotMatch(page.body, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(page.body, /<style|\sstyle=|\son[a-z]+=/i);
    assert.match(page.body, /<script type="module" src="\/inbox\/app\.js"><\/script>/);
  });

  test('serves every module and the stylesheet under /inbox/ with their types and the same policy', async (t) => {
    const app = testApp(t, stubGateway());
    const files = readdirSync(INBOX_ASSETS_DIR).filter((file) => /\.(js|css)$/.test(file));
    assert.ok(files.includes('app.js') && files.includes('inbox.css'));
    for (const file of files) {
      const response = await app.inject({ method: 'GET', url: `/inbox/${file}` });
      assert.equal(response.statusCode, 200, file);
      assert.match(String(response.headers['content-type']), file.endsWith('.js') ? /javascript/ : /^text\/css/);
      assert.equal(response.headers['content-security-policy'], INBOX_CONTENT_SECURITY_POLICY);
    }
  });

  test('serves nothing else from the folder, and no path outside it', async (t) => {
    const app = testApp(t, stubGateway());
    for (const url of [
      '/inbox/README.md',
      '/inbox/index.html',
      '/inbox/..%2Fpackage.json',
      '/inbox/missing.js',
      '/inbox/',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(problemOf(response).status, 404);
    }
  });

  test('the assets are public with authentication on; the data behind them still needs credentials', async (t) => {
    const app = testApp(t, stubGateway(), { config: keyed() });
    assert.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/inbox/app.js' })).statusCode, 200);
    const list = await app.inject({ method: 'GET', url: '/workflows?stage=awaiting_approval' });
    assert.equal(problemOf(list).code, 'UNAUTHENTICATED');
  });

  test('open mode answers the assets only to loopback Host names, like every other route', async (t) => {
    const app = testApp(t, stubGateway());
    const rebound = await app.inject({ method: 'GET', url: '/', headers: { host: 'evil.example' } });
    assert.equal(problemOf(rebound).code, 'HOST_NOT_ALLOWED');
    const local = await app.inject({ method: 'GET', url: '/inbox/app.js', headers: { host: 'localhost:3000' } });
    assert.equal(local.statusCode, 200);
  });

  test('leaves the Swagger UI its own headers and keeps the inbox out of the OpenAPI document', async (t) => {
    const app = testApp(t, stubGateway());
    const docs = await app.inject({ method: 'GET', url: '/docs' });
    assert.equal(docs.statusCode, 200);
    assert.notEqual(docs.headers['content-security-policy'], INBOX_CONTENT_SECURITY_POLICY);
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, unknown> }>();
    assert.ok(!Object.keys(doc.paths).some((path) => path === '/' || path.startsWith('/inbox')));
  });
});
