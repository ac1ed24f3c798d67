// The inbox's event-stream reader (apps/api/inbox/event-stream.js, a browser module) run in Node, which has the same
// fetch and streams, against a loopback server that drops the connection: resumes with Last-Event-ID, sends the
// key, delivers each event once, and gives up on answers that retrying cannot fix.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';

interface StreamEvent {
  type: string;
  data: unknown;
}
type FollowEvents = (
  path: string,
  options: { signal: AbortSignal; onEvent: (event: StreamEvent) => void; onConnection?: (up: boolean) => void },
) => Promise<void>;

// The module is plain browser JavaScript outside the TypeScript project; a computed specifier keeps tsc out of it.
const MODULE = new URL('../inbox/event-stream.js', import.meta.url).href;

const KEY = 'inbox-test-key';
let followEvents: FollowEvents;
let baseUrl: string;
const requests: IncomingHttpHeaders[] = [];
let answer: (attempt: number, response: ServerResponse) => void = () => {};

const server = createServer((request, response) => {
  requests.push(request.headers);
  answer(requests.length, response);
});

before(async () => {
  // What the page keeps in sessionStorage after signing in.
  Object.assign(globalThis, { sessionStorage: { getItem: () => KEY, setItem: () => {}, removeItem: () => {} } });
  ({ followEvents } = (await import(MODULE)) as { followEvents: FollowEvents });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const sse = { 'content-type': 'text/event-stream' };

describe('inbox event stream reader', () => {
  test('resumes a dropped stream with Last-Event-ID and the key, delivering every event exactly once', async () => {
    requests.length = 0;
    answer = (attempt, response) => {
      response.writeHead(200, sse);
      if (attempt === 1) {
        response.write(': stream open\n\nid: 5\nevent: stage\ndata: {"stage":"fetching"}\n\n');
        // A data field split over two lines, and a keep-alive comment between events.
        // The connection closes once this is written, without a final event or the end of the chunked body.
        response.write(': keep-alive\n\nid: 7\nevent: draft\ndata: {"summary":\ndata: "two lines"}\n\n', () =>
          response.socket?.end(),
        );
      } else {
        response.end('id: 9\nevent: completed\ndata: {"status":"COMPLETED"}\n\n');
      }
    };
    const events: StreamEvent[] = [];
    const connections: boolean[] = [];
    await followEvents(`${baseUrl}/workflows/w-1/events`, {
      signal: new AbortController().signal,
      onEvent: (event) => events.push(event),
      onConnection: (up) => connections.push(up),
    }).catch((error: unknown) => assert.fail(String(error)));
    assert.deepEqual(events, [
      { type: 'stage', data: { stage: 'fetching' } },
      { type: 'draft', data: { summary: 'two lines' } },
      { type: 'completed', data: { status: 'COMPLETED' } },
    ]);
    assert.equal(requests.length, 2);
    assert.equal(requests[0]?.['last-event-id'], undefined);
    assert.equal(requests[1]?.['last-event-id'], '7');
    for (const headers of requests) assert.equal(headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(connections, [true, false, true]);
  });

  test('retries a 503 and rejects a 401 with its problem, without retrying it', async () => {
    requests.length = 0;
    answer = (attempt, response) => {
      const status = attempt === 1 ? 503 : 401;
      response.writeHead(status, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify({ status, code: status === 401 ? 'INVALID_CREDENTIALS' : 'TEMPORAL_UNAVAILABLE' }));
    };
    await assert.rejects(
      followEvents(`${baseUrl}/workflows/w-2/events`, { signal: new AbortController().signal, onEvent: () => {} }),
      (error: { status?: number; code?: string }) => error.status === 401 && error.code === 'INVALID_CREDENTIALS',
    );
    assert.equal(requests.length, 2);
  });
});
