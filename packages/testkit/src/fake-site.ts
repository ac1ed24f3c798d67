import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLoopbackServer, untilDisconnect, waitOrDisconnect } from './http-server.js';

/** Appears only inside `<script>`, `<style>`, `<noscript>` and `<template>` of the article: it must never reach the LLM. */
export const FAKE_SITE_SECRET = 'SECRET-MARKER-d41d8cd98f';

/** Readable facts of the built-in article, for assertions. */
export const FAKE_ARTICLE = {
  title: 'Durable Execution & You',
  heading: 'Why workflows survive crashes',
  paragraph: 'Temporal records every step of a workflow in an event history.',
  linkText: 'the documentation',
  linkHref: 'https://docs.temporal.io/hidden-link-url',
} as const;

export const FAKE_ARTICLE_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Durable Execution &amp; You</title>
  <style>body { font-family: "${FAKE_SITE_SECRET}"; }</style>
  <script>window.analytics = { key: "${FAKE_SITE_SECRET}" };</script>
</head>
<body>
  <script type="application/ld+json">{"secret": "${FAKE_SITE_SECRET}"}</script>
  <noscript>Enable JavaScript ${FAKE_SITE_SECRET}</noscript>
  <template><p>${FAKE_SITE_SECRET}</p></template>
  <h1>${FAKE_ARTICLE.heading}</h1>
  <p>${FAKE_ARTICLE.paragraph}</p>
  <p>Read <a href="${FAKE_ARTICLE.linkHref}">${FAKE_ARTICLE.linkText}</a> for more.</p>
  <img src="/image.png" alt="diagram">
  <h2>Retries</h2>
  <p>Activities are retried with backoff until they succeed or a non-retryable failure occurs.</p>
</body>
</html>`;

export const FAKE_PLAIN_TEXT = 'Plain text notes about durable execution.\nSecond line.';

/** A scripted answer for one path. */
export interface FakeRoute {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Wait this long before answering (cut short if the client disconnects). */
  delayMs?: number;
  /** Never answer; the request ends only when the client disconnects. */
  hang?: boolean;
}

export interface FakeSiteOptions {
  /** Size of the `/large` page in bytes; default 2 MiB. */
  largeBodyBytes?: number;
}

export interface FakeSite {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  /** Requests received per path (query string excluded). */
  readonly hits: ReadonlyMap<string, number>;
  hitCount(path: string): number;
  /** Adds or replaces the answer for `path`; overrides the built-in routes. */
  route(path: string, route: FakeRoute): void;
  close(): Promise<void>;
}

const HTML = 'text/html; charset=utf-8';

/**
 * Built-in routes:
 * `/article` (HTML with the secret only in script/style), `/plain`, `/redirect` (→ `/article`),
 * `/redirect-chain/<n>` (n hops, then `/article`), `/redirect-loop`, `/not-found` (404), `/server-error` (500),
 * `/large` (big HTML), `/endless` (streams until the client stops reading), `/image.png`, `/hang`.
 */
function builtInRoute(path: string, largeBodyBytes: number): FakeRoute | 'endless' | undefined {
  const chain = /^\/redirect-chain\/(\d+)$/.exec(path);
  if (chain) {
    const left = Number(chain[1]);
    return { status: 302, headers: { location: left > 0 ? `/redirect-chain/${left - 1}` : '/article' } };
  }
  switch (path) {
    case '/article':
      return { headers: { 'content-type': HTML }, body: FAKE_ARTICLE_HTML };
    case '/plain':
      return { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: FAKE_PLAIN_TEXT };
    case '/redirect':
      return { status: 302, headers: { location: '/article' } };
    case '/redirect-loop':
      return { status: 302, headers: { location: '/redirect-loop' } };
    case '/not-found':
      return { status: 404, headers: { 'content-type': HTML }, body: '<h1>Not here</h1>' };
    case '/server-error':
      return { status: 500, headers: { 'content-type': HTML }, body: '<h1>Oops</h1>' };
    case '/large': {
      const paragraph = '<p>' + 'lorem ipsum dolor sit amet '.repeat(36) + '</p>\n';
      const html =
        '<html><head><title>Large</title></head><body>' +
        paragraph.repeat(Math.ceil(largeBodyBytes / paragraph.length));
      return { headers: { 'content-type': HTML }, body: html.slice(0, largeBodyBytes) };
    }
    case '/endless':
      return 'endless';
    case '/image.png':
      return {
        headers: { 'content-type': 'image/png' },
        body: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      };
    case '/hang':
      return { hang: true };
    default:
      return undefined;
  }
}

async function streamEndless(res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': HTML });
  const chunk = '<p>' + 'endless text '.repeat(1_000) + '</p>\n';
  while (!res.destroyed) {
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
}

/** Starts a content server on 127.0.0.1 for `fetchSource` and end-to-end tests. Close it in `after`. */
export async function startFakeSite(options: FakeSiteOptions = {}): Promise<FakeSite> {
  const largeBodyBytes = options.largeBodyBytes ?? 2 * 1024 * 1024;
  const routes = new Map<string, FakeRoute>();
  const hits = new Map<string, number>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path) ?? builtInRoute(path, largeBodyBytes);
    if (route === 'endless') return streamEndless(res);
    if (route === undefined) {
      res.writeHead(404, { 'content-type': HTML });
      res.end('<h1>Not found</h1>');
      return;
    }
    if (route.hang) return untilDisconnect(res);
    if (route.delayMs !== undefined && !(await waitOrDisconnect(res, route.delayMs))) return;
    res.writeHead(route.status ?? 200, route.headers ?? {});
    res.end(route.body ?? '');
  }

  const server = await startLoopbackServer(handle);
  return {
    url: server.origin,
    hits,
    hitCount: (path) => hits.get(path) ?? 0,
    route(path, route) {
      routes.set(path, route);
    },
    close: () => server.close(),
  };
}
