import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { FailureType, type FetchedSource } from '@research/contracts';
import {
  FAKE_ARTICLE,
  FAKE_PLAIN_TEXT,
  FAKE_SITE_SECRET,
  startFakeSite,
  waitFor,
  type FakeSite,
} from '@research/testkit';
import { DEFAULT_EXTRACT_CONFIG, type FetchConfig } from '../src/config.js';
import {
  ADDRESS_NOT_ALLOWED,
  createFetchSource,
  SOURCE_UNREACHABLE,
  type FetchSourceDeps,
} from '../src/fetch-source.js';
import type { ResolveHost } from '../src/guarded-agent.js';
import { createHtmlExtractor } from '../src/html-extractor.js';
import {
  closedPort,
  fetchConfig,
  mockEnvironment,
  recordingEnvironment,
  rejectsWithFailure,
  runActivity,
  type LogEntry,
} from './helpers.js';

// One conversion pool for the file, closed after its last test.
const extractor = createHtmlExtractor(DEFAULT_EXTRACT_CONFIG);
after(() => extractor.close());

function fetchWith(
  url: string,
  config: Partial<FetchConfig> = {},
  deps: Partial<FetchSourceDeps> = {},
): Promise<FetchedSource> {
  const fetchSource = createFetchSource({ config: fetchConfig(config), extractor, ...deps });
  return mockEnvironment().run(fetchSource, { url });
}

/** Fetches like {@link fetchWith} and also returns what the activity logged. */
async function fetchLogged(
  url: string,
  config: Partial<FetchConfig> = {},
  deps: Partial<FetchSourceDeps> = {},
): Promise<{ result: Promise<FetchedSource>; logs: LogEntry[] }> {
  const { environment, logs } = recordingEnvironment();
  const result = runActivity(environment, createFetchSource({ config: fetchConfig(config), extractor, ...deps }), {
    url,
  });
  // Settled here so the caller can assert on the rejection and the logs together.
  await result.catch(() => {});
  return { result, logs };
}

const logged = (logs: LogEntry[]): string => JSON.stringify(logs);

/** Resolves every name to the given addresses, so no resolver is asked and nothing leaves the machine. */
const resolvingTo =
  (...addresses: string[]): ResolveHost =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const onlyLoopback4 = (address: string): boolean => address === '127.0.0.1';

describe('fetchSource', () => {
  let site: FakeSite;
  before(async () => {
    site = await startFakeSite({ largeBodyBytes: 3 * 1024 * 1024 });
  });
  after(() => site.close());

  it('returns the readable text and title of an HTML page, without script or style content', async () => {
    const source = await fetchWith(`${site.url}/article`);
    assert.equal(source.title, FAKE_ARTICLE.title);
    assert.equal(source.contentType, 'text/html');
    assert.equal(source.finalUrl, `${site.url}/article`);
    assert.equal(source.truncated, false);
    assert.ok(source.text.includes(FAKE_ARTICLE.heading) && source.text.includes(FAKE_ARTICLE.paragraph));
    assert.ok(!source.text.includes(FAKE_SITE_SECRET), source.text);
    assert.ok(!source.text.includes(FAKE_ARTICLE.linkHref));
  });

  it('passes plain text through with no title', async () => {
    const source = await fetchWith(`${site.url}/plain`);
    assert.deepEqual(source, {
      finalUrl: `${site.url}/plain`,
      title: null,
      text: FAKE_PLAIN_TEXT,
      contentType: 'text/plain',
      truncated: false,
      sha256: createHash('sha256').update(FAKE_PLAIN_TEXT, 'utf8').digest('hex'),
    });
  });

  it('follows redirects and reports the final URL', async () => {
    const source = await fetchWith(`${site.url}/redirect-chain/3`);
    assert.equal(source.finalUrl, `${site.url}/article`);
    assert.equal(source.title, FAKE_ARTICLE.title);
  });

  it('fails as SourceUnreadable after more than the allowed redirects, without following further', async () => {
    const before = site.hitCount('/redirect-loop');
    const failure = await rejectsWithFailure(
      fetchWith(`${site.url}/redirect-loop`, { maxRedirects: 2 }),
      FailureType.SourceUnreadable,
      true,
    );
    assert.match(failure.message, /redirected more than 2 times/);
    assert.equal(site.hitCount('/redirect-loop') - before, 3);
  });

  it('fails a 404 as a non-retryable SourceHttpClientError naming status and URL', async () => {
    const failure = await rejectsWithFailure(
      fetchWith(`${site.url}/not-found`),
      FailureType.SourceHttpClientError,
      true,
    );
    assert.equal(failure.message, `Source answered 404 Not Found for ${site.url}/not-found`);
  });

  it('fails a 500 as a retryable SourceUnavailable', async () => {
    await rejectsWithFailure(fetchWith(`${site.url}/server-error`), FailureType.SourceUnavailable, false);
  });

  it('treats 429 from the source as retryable', async () => {
    site.route('/busy', { status: 429, headers: { 'retry-after': '1' } });
    await rejectsWithFailure(fetchWith(`${site.url}/busy`), FailureType.SourceUnavailable, false);
  });

  it('fails a refused connection as retryable SourceUnavailable with a fixed sentence, the socket error only logged', async () => {
    const port = await closedPort();
    const { result, logs } = await fetchLogged(`http://127.0.0.1:${port}/`);
    const failure = await rejectsWithFailure(result, FailureType.SourceUnavailable, false);
    assert.equal(failure.message, SOURCE_UNREACHABLE);
    assert.equal(failure.cause, undefined);
    assert.match(logged(logs), /ECONNREFUSED/);
    assert.match(logged(logs), new RegExp(`127\\.0\\.0\\.1:${port}`));
  });

  it('fails a source that does not answer in time as retryable SourceUnavailable with the same sentence', async () => {
    const { result, logs } = await fetchLogged(`${site.url}/hang`, { timeoutMs: 200 });
    const failure = await rejectsWithFailure(result, FailureType.SourceUnavailable, false);
    assert.equal(failure.message, SOURCE_UNREACHABLE);
    assert.match(logged(logs), /within FETCH_TIMEOUT_MS \(200 ms\)/);
  });

  it('refuses content types other than HTML and plain text', async () => {
    await rejectsWithFailure(fetchWith(`${site.url}/image.png`), FailureType.SourceUnreadable, true);
  });

  it('fails as SourceUnreadable when a page has no readable text', async () => {
    site.route('/app', {
      headers: { 'content-type': 'text/html' },
      body: '<div id="root"></div><script>render()</script>',
    });
    const failure = await rejectsWithFailure(fetchWith(`${site.url}/app`), FailureType.SourceUnreadable, true);
    assert.match(failure.message, /no readable text/);
  });

  it('refuses URLs that are not http(s)', async () => {
    await rejectsWithFailure(fetchWith('file:///etc/passwd'), FailureType.SourceUnreadable, true);
  });

  it('cuts the text to the character budget and marks it truncated', async () => {
    const source = await fetchWith(`${site.url}/article`, { maxChars: 20 });
    assert.equal(source.text.length, 20);
    assert.equal(source.truncated, true);
  });

  it('reads no more than the byte cap of a large body', async () => {
    const source = await fetchWith(`${site.url}/large`, { maxBytes: 10_000, maxChars: 1_000_000 });
    assert.equal(source.truncated, true);
    assert.ok(source.text.length < 10_000, `got ${source.text.length} characters`);
  });

  it('stops reading a body that never ends', async () => {
    const source = await fetchWith(`${site.url}/endless`, { maxBytes: 50_000 });
    assert.equal(source.truncated, true);
  });

  it('decompresses gzip bodies and applies the cap to the decompressed bytes', async () => {
    site.route('/gzip', {
      headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
      body: gzipSync('compressed '.repeat(10_000)),
    });
    const whole = await fetchWith(`${site.url}/gzip`, { maxChars: 1_000_000 });
    assert.equal(whole.text, 'compressed '.repeat(10_000).trim());
    const capped = await fetchWith(`${site.url}/gzip`, { maxBytes: 1_000, maxChars: 1_000_000 });
    assert.equal(capped.text.length, 1_000);
    assert.equal(capped.truncated, true);
  });

  it('decodes the charset named in Content-Type', async () => {
    site.route('/latin1', {
      headers: { 'content-type': 'text/plain; charset=iso-8859-1' },
      body: Buffer.from([0x63, 0x61, 0x66, 0xe9]),
    });
    assert.equal((await fetchWith(`${site.url}/latin1`)).text, 'café');
  });

  it('rethrows the cancellation when the activity is cancelled mid-request', async () => {
    const env = mockEnvironment();
    const pending = env.run(createFetchSource({ config: fetchConfig(), extractor }), { url: `${site.url}/hang` });
    const hits = site.hitCount('/hang');
    await waitFor(() => site.hitCount('/hang') > hits);
    env.cancel();
    await assert.rejects(pending, CancelledFailure);
  });

  describe('address guard', () => {
    it('refuses loopback before connecting when private hosts are not allowed', async () => {
      const hits = site.hitCount('/article');
      const port = new URL(site.url).port;
      const { result, logs } = await fetchLogged(`${site.url}/article`, {
        allowPrivateHosts: false,
        allowedPorts: [Number(port)],
      });
      const failure = await rejectsWithFailure(result, FailureType.SourceAddressBlocked, true);
      assert.equal(failure.message, ADDRESS_NOT_ALLOWED);
      assert.match(logged(logs), /127\.0\.0\.1/);
      assert.equal(site.hitCount('/article'), hits);
    });

    it('refuses ports other than 80 and 443 without private hosts, before connecting, unless listed', async () => {
      const port = Number(new URL(site.url).port);
      const hits = site.hitCount('/article');
      const { result, logs } = await fetchLogged(
        `${site.url}/article`,
        { allowPrivateHosts: false },
        { isAllowedAddress: onlyLoopback4 },
      );
      const failure = await rejectsWithFailure(result, FailureType.SourceAddressBlocked, true);
      assert.equal(failure.message, ADDRESS_NOT_ALLOWED);
      assert.match(logged(logs), new RegExp(`:${port}/article`));
      assert.equal(site.hitCount('/article'), hits);
      const source = await fetchWith(
        `${site.url}/article`,
        { allowPrivateHosts: false, allowedPorts: [port] },
        { isAllowedAddress: onlyLoopback4 },
      );
      assert.equal(source.title, FAKE_ARTICLE.title);
    });

    it('re-checks the port of every redirect hop', async () => {
      const port = Number(new URL(site.url).port);
      site.route('/to-other-port', { status: 302, headers: { location: `http://127.0.0.1:${await closedPort()}/` } });
      await rejectsWithFailure(
        fetchWith(
          `${site.url}/to-other-port`,
          { allowPrivateHosts: false, allowedPorts: [port] },
          { isAllowedAddress: onlyLoopback4 },
        ),
        FailureType.SourceAddressBlocked,
        true,
      );
    });

    it('refuses IPv6 and IPv4-mapped loopback literals', async () => {
      for (const host of ['[::1]', '[::ffff:127.0.0.1]']) {
        await rejectsWithFailure(
          fetchWith(`http://${host}:1/`, { allowPrivateHosts: false, allowedPorts: [1] }),
          FailureType.SourceAddressBlocked,
          true,
        );
      }
    });

    it('checks the address a host name resolves to, and names it in the log only', async () => {
      const { result, logs } = await fetchLogged(
        'http://innocent.example/',
        { allowPrivateHosts: false },
        { resolveHost: resolvingTo('10.0.0.7') },
      );
      const failure = await rejectsWithFailure(result, FailureType.SourceAddressBlocked, true);
      assert.equal(failure.message, ADDRESS_NOT_ALLOWED);
      assert.match(logged(logs), /innocent\.example.*10\.0\.0\.7/);
    });

    it('refuses a name when any of its addresses is private', async () => {
      await rejectsWithFailure(
        fetchWith(
          'http://mixed.example/',
          { allowPrivateHosts: false },
          { resolveHost: resolvingTo('93.184.216.34', '169.254.169.254') },
        ),
        FailureType.SourceAddressBlocked,
        true,
      );
    });

    it('connects to exactly the address the guard checked', async () => {
      const port = new URL(site.url).port;
      const source = await fetchWith(
        `http://site.example:${port}/article`,
        {},
        { resolveHost: resolvingTo('127.0.0.1'), isAllowedAddress: onlyLoopback4 },
      );
      assert.equal(source.finalUrl, `http://site.example:${port}/article`);
      assert.equal(source.title, FAKE_ARTICLE.title);
    });

    it('re-checks every redirect hop: a redirect to the metadata service is refused', async () => {
      site.route('/to-metadata', { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } });
      await rejectsWithFailure(
        fetchWith(`${site.url}/to-metadata`, {}, { isAllowedAddress: onlyLoopback4 }),
        FailureType.SourceAddressBlocked,
        true,
      );
    });

    it('re-checks every redirect hop: a redirect to a name resolving privately is refused', async () => {
      site.route('/to-internal', { status: 307, headers: { location: 'http://internal.example/admin' } });
      const resolveHost: ResolveHost = async (name) =>
        name === 'internal.example' ? [{ address: '192.168.0.10', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
      const { result, logs } = await fetchLogged(
        `${site.url}/to-internal`,
        {},
        { isAllowedAddress: onlyLoopback4, resolveHost },
      );
      const failure = await rejectsWithFailure(result, FailureType.SourceAddressBlocked, true);
      assert.equal(failure.message, ADDRESS_NOT_ALLOWED);
      assert.match(logged(logs), /192\.168\.0\.10/);
    });
  });
});
