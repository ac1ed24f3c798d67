import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_ARTICLE_HTML } from '@research/testkit';
import { createHtmlExtractor, HtmlExtractionError, type HtmlExtractor } from '../src/html-extractor.js';
import { extractTitle, htmlToReadableText } from '../src/html-to-text.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** About 15 MB; converting it takes many seconds even within the extraction limits (parsing is most of it). */
const bigTable = (): Uint8Array =>
  bytes(`<html><body><table>${'<tr><td>cell</td><td>value</td></tr>'.repeat(500_000)}</table></body></html>`);

describe('createHtmlExtractor', () => {
  let extractor: HtmlExtractor;
  before(() => {
    extractor = createHtmlExtractor({ timeoutMs: 10_000, threads: 2, maxHtmlBytes: 1024 * 1024 });
  });
  after(() => extractor.close());

  it('converts on a pool thread to the same text and title as on this one', async () => {
    const page = await extractor.extract(bytes(FAKE_ARTICLE_HTML), 'utf-8');
    assert.deepEqual(page, {
      text: htmlToReadableText(FAKE_ARTICLE_HTML),
      title: extractTitle(FAKE_ARTICLE_HTML),
      truncated: false,
    });
  });

  it('decodes the charset it is given', async () => {
    const latin1 = Uint8Array.from([...bytes('<p>caf'), 0xe9, ...bytes('</p>')]);
    assert.equal((await extractor.extract(latin1, 'iso-8859-1')).text, 'café');
  });

  it('parses no more than maxHtmlBytes and marks the page truncated', async () => {
    const small = createHtmlExtractor({ timeoutMs: 10_000, threads: 1, maxHtmlBytes: 20 });
    try {
      const page = await small.extract(bytes('<p>first</p><p>second paragraph</p>'), undefined);
      assert.deepEqual(page, { text: 'first\n\nsecon', title: null, truncated: true });
    } finally {
      await small.close();
    }
  });

  it('starts threads only for conversions and lets them exit once idle', { timeout: 60_000 }, async () => {
    const idle = createHtmlExtractor({ timeoutMs: 10_000, threads: 2, maxHtmlBytes: 1024, idleTimeoutMs: 200 });
    try {
      assert.equal(idle.threads, 0);
      await Promise.all([idle.extract(bytes('<p>a</p>'), undefined), idle.extract(bytes('<p>b</p>'), undefined)]);
      assert.ok(idle.threads > 0, 'no thread ran the conversions');
      const deadline = Date.now() + 30_000;
      while (idle.threads > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(idle.threads, 0);
      // A later conversion starts a thread again.
      assert.equal((await idle.extract(bytes('<p>again</p>'), undefined)).text, 'again');
    } finally {
      await idle.close();
    }
  });

  it('rethrows the reason of an aborted signal', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    controller.abort(reason);
    await assert.rejects(
      extractor.extract(bytes('<p>x</p>'), undefined, controller.signal),
      (error) => error === reason,
    );
  });

  it(
    'terminates a conversion that runs past its time limit, and converts the next page on a new thread',
    { timeout: 60_000 },
    async () => {
      const strict = createHtmlExtractor({ timeoutMs: 300, threads: 1, maxHtmlBytes: 16 * 1024 * 1024 });
      try {
        // The limit runs from the start of the conversion, so starting the first thread does not count.
        assert.equal((await strict.extract(bytes('<p>warm</p>'), undefined)).text, 'warm');
        const startedAt = Date.now();
        await assert.rejects(
          strict.extract(bigTable(), undefined),
          (error) => error instanceof HtmlExtractionError && error.reason === 'timeout',
        );
        const elapsedMs = Date.now() - startedAt;
        assert.ok(elapsedMs < 4_000, `gave up after ${elapsedMs} ms`);
        // One thread: had the old one gone on converting (about ten seconds more), this page would have waited for it;
        // a new thread starts in about a second from sources.
        const nextAt = Date.now();
        assert.equal((await strict.extract(bytes('<p>next</p>'), undefined)).text, 'next');
        const nextMs = Date.now() - nextAt;
        assert.ok(nextMs < 6_000, `the next page took ${nextMs} ms`);
      } finally {
        await strict.close();
      }
    },
  );
});
