import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FailureType } from '@research/contracts';
import { startFakeSite, type FakeSite } from '@research/testkit';
import { createFetchSource } from '../src/fetch-source.js';
import { createHtmlExtractor, type HtmlExtractor } from '../src/html-extractor.js';
import { fetchConfig, mockEnvironment, rejectsWithFailure, runActivity } from './helpers.js';

const HTML = { 'content-type': 'text/html; charset=utf-8' };
const ROW = '<tr><td>cell</td><td>value</td></tr>';

/** Runs `work` while a 20 ms interval timer measures how late this thread's event loop runs it. */
async function measureLag<T>(work: () => Promise<T>): Promise<{ result: T; maxLagMs: number; elapsedMs: number }> {
  let last = Date.now();
  let maxLagMs = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    maxLagMs = Math.max(maxLagMs, now - last - 20);
    last = now;
  }, 20);
  const startedAt = Date.now();
  try {
    const result = await work();
    // A block just before `work` settles shows only here: its timer tick has not run yet.
    maxLagMs = Math.max(maxLagMs, Date.now() - last - 20);
    return { result, maxLagMs, elapsedMs: Date.now() - startedAt };
  } finally {
    clearInterval(timer);
  }
}

describe('fetchSource on pages built to make conversion slow', () => {
  let site: FakeSite;
  let extractor: HtmlExtractor;
  let wholePage: HtmlExtractor;
  before(async () => {
    site = await startFakeSite();
    site.route('/table', { headers: HTML, body: `<html><body><table>${ROW.repeat(200_000)}</table></body></html>` });
    site.route('/deep', {
      headers: HTML,
      body: `<html><body><p>Intro.</p>${'<div>'.repeat(20_000)}deep${'</div>'.repeat(20_000)}</body></html>`,
    });
    extractor = createHtmlExtractor({ timeoutMs: 10_000, threads: 2, maxHtmlBytes: 2 * 1024 * 1024 });
    // Parses the whole 6 MB table, so that converting it takes seconds.
    wholePage = createHtmlExtractor({ timeoutMs: 20_000, threads: 1, maxHtmlBytes: 16 * 1024 * 1024 });
  });
  after(() => Promise.all([site.close(), extractor.close(), wholePage.close()]));

  const fetchPage = (path: string, using = extractor) =>
    runActivity(
      mockEnvironment(),
      createFetchSource({ config: fetchConfig({ maxBytes: 8 * 1024 * 1024 }), extractor: using }),
      { url: `${site.url}${path}` },
    );

  for (const path of ['/table', '/deep']) {
    it(`reads ${path} within seconds while this thread's timers stay on time`, async () => {
      const { result, maxLagMs, elapsedMs } = await measureLag(() => fetchPage(path, wholePage));
      assert.ok(elapsedMs < 30_000, `took ${elapsedMs} ms`);
      assert.ok(maxLagMs < 1_000, `a 20 ms timer ran ${maxLagMs} ms late`);
      assert.ok(result.text.length > 0);
    });
  }

  it('reads a hostile page within seconds with the default HTML_EXTRACT_MAX_BYTES', async () => {
    const { elapsedMs } = await measureLag(() => fetchPage('/table'));
    assert.ok(elapsedMs < 5_000, `took ${elapsedMs} ms`);
  });

  it('marks the text truncated when only the first HTML_EXTRACT_MAX_BYTES were parsed', async () => {
    const source = await fetchPage('/table');
    assert.equal(source.truncated, true);
    assert.match(source.text, /^cell \| value\ncell \| value\n/);
  });

  it('fails a page whose conversion runs past HTML_EXTRACT_TIMEOUT_MS as non-retryable SourceUnreadable', async () => {
    const strict = createHtmlExtractor({ timeoutMs: 200, threads: 1, maxHtmlBytes: 16 * 1024 * 1024 });
    try {
      const environment = mockEnvironment();
      const fetchSource = createFetchSource({ config: fetchConfig({ maxBytes: 16 * 1024 * 1024 }), extractor: strict });
      // Start the thread first: its start-up does not count against the limit, but would make the test slow.
      await environment.run(fetchSource, { url: `${site.url}/article` });
      const failure = await rejectsWithFailure(
        environment.run(fetchSource, { url: `${site.url}/table` }),
        FailureType.SourceUnreadable,
        true,
      );
      assert.equal(failure.message, 'The source page took too long to convert to text');
    } finally {
      await strict.close();
    }
  });
});
