import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { readBody, startLoopbackServer, untilDisconnect, waitOrDisconnect } from './http-server.js';
import { waitFor } from './wait-for.js';

/** How the fake LLM answers one chat-completions call. */
export type FakeLlmBehaviour =
  /** 200 with `content`, or by default a deterministic summary derived from the prompt. */
  | { kind: 'answer'; content?: string }
  /** 200 whose message content is empty. */
  | { kind: 'empty' }
  /** 429 with `Retry-After` (seconds or HTTP date) and/or `retry-after-ms` when given. */
  | { kind: 'rate-limit'; retryAfter?: string; retryAfterMs?: number }
  /** Any error status (401, 404, 500, ...) with an OpenAI-shaped error body. */
  | { kind: 'error'; status: number; message?: string; code?: string; headers?: Record<string, string> }
  /** Waits `ms` (or until the client disconnects), then behaves as `then` (default: answer). */
  | { kind: 'delay'; ms: number; then?: FakeLlmBehaviour }
  /** Never answers; the request ends only when the client aborts. */
  | { kind: 'hang' };

/** Loosely typed body of `POST /v1/chat/completions` as the client sent it. */
export interface ChatCompletionBody {
  model?: string;
  messages?: { role: string; content: unknown }[];
  max_tokens?: number;
  [key: string]: unknown;
}

export interface FakeLlmCall {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: ChatCompletionBody;
  /** Set when the client disconnected before the fake answered (aborts, timeouts). */
  aborted: boolean;
  /** `Date.now()` when the request body had arrived, to check the spacing of retries. */
  receivedAt: number;
}

export interface FakeLlmOptions {
  /** Behaviour of every call not covered by `script(...)`; defaults to `{ kind: 'answer' }`. */
  behaviour?: FakeLlmBehaviour;
  /**
   * `false` makes the fake an endpoint without JSON-schema response formats: such a request answers 400, as
   * OpenAI-compatible servers that lack them do. Default true.
   */
  structuredOutputs?: boolean;
  /** When set, calls whose `Authorization` is not `Bearer <apiKey>` answer 401. */
  apiKey?: string;
}

export interface FakeLlm {
  /** Base URL ending in `/v1`, for `OPENAI_BASE_URL`. */
  url: string;
  /** Every chat-completions request received, in order. */
  readonly calls: readonly FakeLlmCall[];
  readonly callCount: number;
  /** The next calls answer with these behaviours, one each, before falling back to the default. */
  script(...behaviours: FakeLlmBehaviour[]): void;
  /** The next `count` calls answer with `behaviour` (after anything already scripted). */
  scriptTimes(count: number, behaviour: FakeLlmBehaviour): void;
  /**
   * The next call whose body `matches` answers with `behaviour` (once), before the script and the default: e.g. to
   * hang only the synthesis call of a run whose notes calls come first.
   */
  scriptWhen(matches: (body: ChatCompletionBody) => boolean, behaviour: FakeLlmBehaviour): void;
  /** Sets the behaviour of all calls not covered by `script(...)`. */
  setBehaviour(behaviour: FakeLlmBehaviour): void;
  /** Clears recorded calls, the script, and restores the default answer. */
  reset(): void;
  /** Resolves once at least `count` calls arrived; rejects after `timeoutMs` (default 5000). */
  waitForCalls(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Text the default answer summarises: the `<source>` section of the last user message, else all of it. */
function promptSource(body: ChatCompletionBody): string {
  const users = (body.messages ?? []).filter((m) => m.role === 'user');
  const last = users[users.length - 1];
  const text = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
  const match = /<source>([\s\S]*?)<\/source>/.exec(text);
  return (match?.[1] ?? text).trim();
}

/** Deterministic summary: same prompt, same answer; its words come from the source so tests can trace them. */
export function fakeSummary(body: ChatCompletionBody): string {
  const source = promptSource(body);
  const digest = createHash('sha256')
    .update(JSON.stringify(body.messages ?? []))
    .digest('hex')
    .slice(0, 8);
  const words = source.split(/\s+/).filter(Boolean);
  const excerpt = words.slice(0, 12).join(' ');
  return `Fake summary ${digest} of ${words.length} words: ${excerpt}${words.length > 12 ? ' ...' : ''}`;
}

/** The `<source index="N">` blocks of the first user message: index and the text after the URL and title lines. */
function promptSources(body: ChatCompletionBody): { index: number; text: string }[] {
  const first = (body.messages ?? []).find((m) => m.role === 'user');
  const text = typeof first?.content === 'string' ? first.content : '';
  return [...text.matchAll(/<source index="(\d+)">\n([\s\S]*?)\n<\/source>/g)].map((match) => {
    const lines = (match[2] ?? '').split('\n');
    const body = lines.filter((line, i) => !(i < 3 && /^(Source URL|Title): /.test(line)));
    return { index: Number(match[1]), text: body.join('\n').trim() };
  });
}

/** Whether the request asks for JSON (a JSON-schema or JSON-object response format). */
export function wantsJson(body: ChatCompletionBody): boolean {
  const format = body.response_format as { type?: unknown } | undefined;
  return format?.type === 'json_schema' || format?.type === 'json_object';
}

/**
 * Deterministic structured draft for a JSON request: a summary and three points, each quoting eight words verbatim
 * from a source of the prompt (taking the sources in turn), so every citation is grounded.
 */
export function fakeDraft(body: ChatCompletionBody): string {
  const sources = promptSources(body);
  const digest = createHash('sha256')
    .update(JSON.stringify(body.messages ?? []))
    .digest('hex')
    .slice(0, 8);
  const points = [0, 1, 2].map((i) => {
    const source = sources[i % Math.max(sources.length, 1)] ?? { index: 1, text: 'nothing' };
    const words = source.text.split(/\s+/).filter(Boolean);
    const round = Math.floor(i / Math.max(sources.length, 1));
    const start = words.length > (round + 1) * 8 ? round * 8 : 0;
    const quote = words.slice(start, start + 8).join(' ') || 'nothing';
    return { text: `Point ${i + 1} from source ${source.index}.`, citations: [{ source: source.index, quote }] };
  });
  return JSON.stringify({
    summary: `Fake draft ${digest} from ${sources.length} source(s): ${points.map((p) => p.citations[0]?.quote).join(' / ')}`,
    points,
  });
}

const tokens = (text: string): number => Math.ceil(text.length / 4);

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_fake', ...headers });
  res.end(JSON.stringify(payload));
}

function sendError(res: ServerResponse, status: number, message: string, code: string | null, headers = {}): void {
  const type = status >= 500 ? 'server_error' : status === 429 ? 'requests' : 'invalid_request_error';
  sendJson(res, status, { error: { message, type, param: null, code } }, headers);
}

const DEFAULT_ERROR_MESSAGES: Record<number, string> = {
  401: 'Incorrect API key provided.',
  403: 'You are not allowed to use this model.',
  404: 'The model does not exist or you do not have access to it.',
  500: 'The server had an error while processing your request.',
  503: 'The engine is currently overloaded.',
};

/**
 * Starts an OpenAI-compatible chat-completions server on 127.0.0.1 whose answers tests script:
 * rate limits, auth failures, server errors, delays and hangs. Close it in `after`.
 */
export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const defaultBehaviour: FakeLlmBehaviour = options.behaviour ?? { kind: 'answer' };
  let fallback = defaultBehaviour;
  let queue: FakeLlmBehaviour[] = [];
  let matchers: { matches: (body: ChatCompletionBody) => boolean; behaviour: FakeLlmBehaviour }[] = [];
  let calls: FakeLlmCall[] = [];
  let sequence = 0;

  async function respond(behaviour: FakeLlmBehaviour, call: FakeLlmCall, res: ServerResponse): Promise<void> {
    switch (behaviour.kind) {
      case 'answer':
      case 'empty': {
        const content =
          behaviour.kind === 'empty'
            ? ''
            : (behaviour.content ?? (wantsJson(call.body) ? fakeDraft(call.body) : fakeSummary(call.body)));
        const promptTokens = tokens(JSON.stringify(call.body.messages ?? []));
        const completionTokens = tokens(content);
        sequence += 1;
        sendJson(res, 200, {
          id: `chatcmpl-fake-${sequence}`,
          object: 'chat.completion',
          created: 1_700_000_000,
          model: call.body.model ?? 'fake-model',
          choices: [
            { index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null },
          ],
          usage: {
            prompt_tokens: promptTokens,
            completion_tokens: completionTokens,
            total_tokens: promptTokens + completionTokens,
          },
        });
        return;
      }
      case 'rate-limit': {
        const headers: Record<string, string> = {};
        if (behaviour.retryAfter !== undefined) headers['retry-after'] = behaviour.retryAfter;
        if (behaviour.retryAfterMs !== undefined) headers['retry-after-ms'] = String(behaviour.retryAfterMs);
        sendError(res, 429, 'Rate limit reached for requests.', 'rate_limit_exceeded', headers);
        return;
      }
      case 'error': {
        const message =
          behaviour.message ?? DEFAULT_ERROR_MESSAGES[behaviour.status] ?? `Fake error ${behaviour.status}`;
        sendError(res, behaviour.status, message, behaviour.code ?? null, behaviour.headers);
        return;
      }
      case 'delay':
        if (await waitOrDisconnect(res, behaviour.ms)) await respond(behaviour.then ?? { kind: 'answer' }, call, res);
        return;
      case 'hang':
        await untilDisconnect(res);
        return;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      sendError(res, 404, `Unknown endpoint ${req.method} ${path}`, 'unknown_url');
      return;
    }
    const raw = await readBody(req);
    let body: ChatCompletionBody;
    try {
      body = JSON.parse(raw) as ChatCompletionBody;
    } catch {
      sendError(res, 400, 'Request body is not valid JSON.', null);
      return;
    }
    const call: FakeLlmCall = {
      method: req.method,
      path,
      headers: req.headers,
      body,
      aborted: false,
      receivedAt: Date.now(),
    };
    calls.push(call);
    res.once('close', () => {
      if (!res.writableFinished) call.aborted = true;
    });
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      sendError(res, 401, 'Incorrect API key provided.', 'invalid_api_key');
      return;
    }
    const format = body.response_format as { type?: unknown } | undefined;
    if (options.structuredOutputs === false && format?.type === 'json_schema') {
      sendError(res, 400, "response_format of type 'json_schema' is not supported by this model", null);
      return;
    }
    if (body.stream === true) {
      sendError(res, 400, 'The fake LLM does not stream.', null);
      return;
    }
    const matched = matchers.findIndex((m) => m.matches(body));
    const [scripted] = matched === -1 ? [] : matchers.splice(matched, 1);
    await respond(scripted?.behaviour ?? queue.shift() ?? fallback, call, res);
  }

  const server = await startLoopbackServer(handle);
  return {
    url: `${server.origin}/v1`,
    get calls() {
      return calls;
    },
    get callCount() {
      return calls.length;
    },
    script(...behaviours) {
      queue.push(...behaviours);
    },
    scriptTimes(count, behaviour) {
      for (let i = 0; i < count; i++) queue.push(behaviour);
    },
    scriptWhen(matches, behaviour) {
      matchers.push({ matches, behaviour });
    },
    setBehaviour(behaviour) {
      fallback = behaviour;
    },
    reset() {
      calls = [];
      queue = [];
      matchers = [];
      fallback = defaultBehaviour;
    },
    async waitForCalls(count, timeoutMs = 5_000) {
      await waitFor(() => calls.length >= count, { timeoutMs, description: `${count} fake LLM call(s)` });
    },
    close: () => server.close(),
  };
}
