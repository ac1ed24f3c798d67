import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type FetchedSource, type FetchSourceInput } from '@research/contracts';
import { request } from 'undici';
import { addressPolicy, isAllowedPort } from './address-policy.js';
import type { FetchConfig } from './config.js';
import { AddressBlockedError, createGuardedAgent, type ResolveHost } from './guarded-agent.js';
import { HtmlExtractionError, type HtmlExtractor } from './html-extractor.js';
import { truncateText } from './html-to-text.js';
import { decodeText, discard, readCapped, UnsupportedEncodingError } from './read-body.js';

export interface FetchSourceDeps {
  config: FetchConfig;
  /** Converts HTML pages to text off the activity thread. */
  extractor: HtmlExtractor;
  /** Replaces DNS resolution (tests map names to addresses without a resolver). */
  resolveHost?: ResolveHost | undefined;
  /** Replaces the address policy; by default {@link addressPolicy} of `allowPrivateHosts`. */
  isAllowedAddress?: ((address: string) => boolean) | undefined;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const TEXT_TYPES = new Set(['text/plain']);
// 408 and 429 are 4xx but say "try later", so they are retried like a 5xx.
const RETRYABLE_CLIENT_STATUSES = new Set([408, 429]);

const HEADERS = {
  accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1',
  'accept-encoding': 'gzip, deflate, br',
  'user-agent': 'research-gateway/0.1 (fetchSource activity)',
};

/**
 * What API callers see of a refused or unreachable source: one fixed sentence per failure type, so the API is no
 * DNS oracle or port scanner. The details (address, port, socket error) go to the worker log only.
 */
export const ADDRESS_NOT_ALLOWED = 'The source address is not allowed';
export const SOURCE_UNREACHABLE = 'The source could not be reached';

const unreadable = (message: string, cause?: Error): ApplicationFailure =>
  ApplicationFailure.create({ type: FailureType.SourceUnreadable, message, nonRetryable: true, cause });

const unavailable = (message: string): ApplicationFailure =>
  ApplicationFailure.create({ type: FailureType.SourceUnavailable, message, nonRetryable: false });

const addressNotAllowed = (): ApplicationFailure =>
  ApplicationFailure.create({
    type: FailureType.SourceAddressBlocked,
    message: ADDRESS_NOT_ALLOWED,
    nonRetryable: true,
  });

function parseHttpUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw unreadable(`Not a valid URL: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw unreadable(`Only http(s) URLs can be fetched: ${url.href}`);
  if (url.username !== '' || url.password !== '')
    throw unreadable(`URLs with credentials are not fetched: ${url.host}`);
  url.hash = '';
  return url;
}

const header = (value: string | string[] | undefined): string =>
  Array.isArray(value) ? (value[0] ?? '') : (value ?? '');

function findCause<T extends Error>(error: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof type) return current;
  }
  return undefined;
}

/** The socket error behind `error`, with its code, for the worker log. */
function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    parts.push(code === undefined ? current.message : `${current.message} (${code})`);
  }
  return parts.length === 0 ? String(error) : parts.join(': ');
}

/** Builds the `fetchSource` activity. See {@link createActivities} for the failures it raises. */
export function createFetchSource(deps: FetchSourceDeps): (input: FetchSourceInput) => Promise<FetchedSource> {
  const { config } = deps;
  const isAllowed = deps.isAllowedAddress ?? addressPolicy(config.allowPrivateHosts);
  /** Checked before each hop connects; IP addresses are checked by the agent when it connects. */
  const checkPort = (url: URL): void => {
    if (isAllowedPort(url, config.allowPrivateHosts, config.allowedPorts)) return;
    Context.current().log.warn('fetchSource refused a port outside 80, 443 and FETCH_ALLOWED_PORTS', {
      url: url.href,
    });
    throw addressNotAllowed();
  };

  return async function fetchSource({ url }: FetchSourceInput): Promise<FetchedSource> {
    const cancellation = Context.current().cancellationSignal;
    const deadline = AbortSignal.timeout(config.timeoutMs);
    const signal = AbortSignal.any([cancellation, deadline]);
    const agent = createGuardedAgent({ isAllowed, resolveHost: deps.resolveHost, connectTimeoutMs: config.timeoutMs });
    let current = parseHttpUrl(url);
    try {
      for (let hop = 0; ; hop++) {
        checkPort(current);
        const response = await request(current, { dispatcher: agent, method: 'GET', headers: HEADERS, signal });
        const status = response.statusCode;
        if (REDIRECT_STATUSES.has(status)) {
          await response.body.dump();
          const location = header(response.headers.location);
          if (location === '')
            throw unreadable(`Source answered ${status} without a Location header for ${current.href}`);
          if (hop >= config.maxRedirects)
            throw unreadable(`Source redirected more than ${config.maxRedirects} times, starting at ${url}`);
          current = parseHttpUrl(location, current);
          continue;
        }
        if (status < 200 || status >= 300) {
          await response.body.dump();
          const answer = `Source answered ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
          if (status >= 500 || RETRYABLE_CLIENT_STATUSES.has(status))
            throw unavailable(`${answer} for ${current.href}`);
          if (status >= 400) {
            throw ApplicationFailure.create({
              type: FailureType.SourceHttpClientError,
              message: `${answer} for ${current.href}`,
              nonRetryable: true,
              details: [{ status, url: current.href }],
            });
          }
          throw unreadable(`${answer} for ${current.href}`);
        }
        return await readSource(response, current, config, deps.extractor, cancellation);
      }
    } catch (error) {
      if (cancellation.aborted) throw cancellation.reason;
      if (error instanceof ApplicationFailure) throw error;
      const log = Context.current().log;
      const blocked = findCause(error, AddressBlockedError);
      if (blocked) {
        log.warn('fetchSource refused an address', { url: current.href, reason: blocked.message });
        throw addressNotAllowed();
      }
      if (error instanceof UnsupportedEncodingError) throw unreadable(`${error.message} for ${current.href}`);
      const reason = deadline.aborted
        ? `no answer within FETCH_TIMEOUT_MS (${config.timeoutMs} ms)`
        : describeNetworkError(error);
      log.warn('fetchSource could not reach the source', { url: current.href, reason });
      throw unavailable(SOURCE_UNREACHABLE);
    } finally {
      await agent.destroy();
    }
  };
}

type Response = Awaited<ReturnType<typeof request>>;

async function readSource(
  response: Response,
  url: URL,
  config: FetchConfig,
  extractor: HtmlExtractor,
  cancellation: AbortSignal,
): Promise<FetchedSource> {
  const contentTypeHeader = header(response.headers['content-type']);
  const [mediaType = '', ...parameters] = contentTypeHeader.split(';').map((part) => part.trim());
  const contentType = mediaType.toLowerCase();
  const isHtml = HTML_TYPES.has(contentType);
  if (!isHtml && !TEXT_TYPES.has(contentType)) {
    discard(response.body);
    throw unreadable(`Source content type "${contentTypeHeader || 'none'}" is not HTML or plain text: ${url.href}`);
  }
  const charset = parameters
    .map((parameter) => /^charset\s*=\s*"?([^";]+)"?$/i.exec(parameter)?.[1])
    .find((value) => value !== undefined);
  const body = await readCapped(response.body, header(response.headers['content-encoding']), config.maxBytes);
  const page = isHtml
    ? await extractHtml(extractor, body.bytes, charset, url, cancellation)
    : { text: decodeText(body.bytes, charset).replace(/\r\n?/g, '\n').trim(), title: null, truncated: false };
  // A page that is all script (a client-rendered app) has nothing to summarise; retrying will not change that.
  if (page.text.trim() === '') throw unreadable(`Source has no readable text: ${url.href}`);
  const { text, truncated } = truncateText(page.text, config.maxChars);
  return {
    finalUrl: url.href,
    title: page.title,
    text,
    contentType,
    truncated: truncated || body.truncated || page.truncated,
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
  };
}

/** Runs the conversion on the extractor's threads and turns its failures into the activity's. */
async function extractHtml(
  extractor: HtmlExtractor,
  bytes: Uint8Array,
  charset: string | undefined,
  url: URL,
  cancellation: AbortSignal,
): ReturnType<HtmlExtractor['extract']> {
  try {
    return await extractor.extract(bytes, charset, cancellation);
  } catch (error) {
    if (!(error instanceof HtmlExtractionError)) throw error;
    Context.current().log.warn('fetchSource could not convert the page to text', {
      url: url.href,
      reason: error.message,
      cause: error.cause instanceof Error ? error.cause.message : undefined,
    });
    throw unreadable(
      error.reason === 'timeout'
        ? 'The source page took too long to convert to text'
        : 'The source page could not be converted to text',
    );
  }
}
