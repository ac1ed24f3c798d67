// Server-Sent Events over fetch(). EventSource cannot send an Authorization header, and a key in the URL would end
// up in logs and history, so the page reads the stream itself: the same `id:`/`event:`/`data:` framing, and after a
// dropped connection it reconnects with `Last-Event-ID`, which the API answers with exactly the events missed.
import { ApiError, authHeaders } from './api.js';

/** Events after which the API ends the stream: the workflow closed. */
const FINAL_EVENTS = new Set(['completed', 'failed', 'cancelled', 'expired']);
const MAX_RETRY_DELAY_MS = 30_000;

/** Parses an SSE byte stream into `{ id, type, data }` events; comment lines (keep-alives) are skipped. */
async function* readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let fields = { id: undefined, type: undefined, data: [] };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const raw of lines) {
        const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (line === '') {
          if (fields.data.length > 0)
            yield { id: fields.id, type: fields.type ?? 'message', data: fields.data.join('\n') };
          fields = { id: undefined, type: undefined, data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (name === 'data') fields.data.push(text);
        else if (name === 'event') fields.type = text;
        else if (name === 'id') fields.id = text;
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve(undefined)), { once: true });
  });

/**
 * Follows `path` until the workflow closes or `signal` aborts, calling `onEvent({ type, data })` for each event in
 * order, once. Dropped connections, 5xx and 429 answers are retried with backoff; `onConnection(true | false)`
 * reports whether the stream is up.
 *
 * @throws {ApiError} for an answer that retrying cannot fix (401, 403, 404).
 */
export async function followEvents(path, { signal, onEvent, onConnection = () => {} }) {
  let lastEventId;
  let failures = 0;
  while (!signal.aborted) {
    let closed = false;
    try {
      const response = await fetch(path, {
        headers: {
          accept: 'text/event-stream',
          ...authHeaders(),
          ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
        },
        cache: 'no-store',
        signal,
      });
      if (!response.ok) {
        const problem = await response.json().catch(() => null);
        if (response.status < 500 && response.status !== 429) throw new ApiError(response.status, problem);
      } else {
        onConnection(true);
        for await (const event of readEvents(response.body)) {
          // The API's `event: error` (Temporal unavailable) has no id: the stream ends and is resumed below.
          if (event.id === undefined) continue;
          lastEventId = event.id;
          failures = 0;
          onEvent({ type: event.type, data: JSON.parse(event.data) });
          if (FINAL_EVENTS.has(event.type)) closed = true;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError) throw error;
    }
    if (closed) return;
    onConnection(false);
    failures += 1;
    await sleep(Math.min(MAX_RETRY_DELAY_MS, 500 * 2 ** failures), signal);
  }
}
