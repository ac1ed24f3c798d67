import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_ARTICLE, FAKE_SITE_SECRET, startFakeSite, type FakeSite } from '../src/index.js';

describe('fake site', () => {
  let site: FakeSite;
  before(async () => {
    site = await startFakeSite({ largeBodyBytes: 10_000 });
  });
  after(() => site.close());

  it('serves the article with the secret only inside script and style', async () => {
    const response = await fetch(`${site.url}/article`);
    const html = await response.text();
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.ok(html.includes(FAKE_ARTICLE.heading));
    assert.ok(html.includes(`"${FAKE_SITE_SECRET}"`));
    assert.equal(site.hitCount('/article'), 1);
  });

  it('redirects without following on its own', async () => {
    const response = await fetch(`${site.url}/redirect-chain/2`, { redirect: 'manual' });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), '/redirect-chain/1');
  });

  it('serves scripted routes over the built-in ones', async () => {
    site.route('/article', { status: 503, body: 'down' });
    const response = await fetch(`${site.url}/article`);
    assert.equal(response.status, 503);
    assert.equal(await response.text(), 'down');
  });

  it('serves a large body of the configured size', async () => {
    const body = await (await fetch(`${site.url}/large`)).arrayBuffer();
    assert.equal(body.byteLength, 10_000);
  });
});
