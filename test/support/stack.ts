import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openResultStore, type ResultStore } from '@research/activities';
import { findFreePort, type ManagedProcess, ProcessGroup, waitFor } from '@research/testkit';

const root = fileURLToPath(new URL('../..', import.meta.url));

const ENTRIES = {
  temporal: join(root, 'packages/embedded-temporal/src/cli.ts'),
  worker: join(root, 'apps/worker/src/main.ts'),
  api: join(root, 'apps/api/src/server.ts'),
} as const;

/** Worker and API start-up includes compiling TypeScript, bundling workflows and (with PGlite) creating a database. */
const START_TIMEOUT_MS = 90_000;

/** A caller the API accepts when the stack runs with API keys. */
export interface StackCaller {
  id: string;
  scopes: string[];
}

/**
 * The callers of a stack started without `callers` or `open`: authentication is on, as in production, and since
 * four-eyes is on too, the caller who starts a pipeline is not the one who decides it. {@link request} sends their
 * keys by default.
 */
export const STACK_CALLERS = {
  submitter: { id: 'submitter', scopes: ['research:submit', 'research:read'] },
  reviewer: { id: 'reviewer', scopes: ['research:read', 'research:approve'] },
} as const satisfies Record<string, StackCaller>;

/** How the API names a stack caller (`name` of its API key): a decision's receipt and `submittedBy` carry it. */
export const callerName = (id: string): string => `Caller ${id}`;

/** Keys {@link request} sends when a test names none, by API base URL; only stacks on {@link STACK_CALLERS}. */
const defaultKeys = new Map<string, { submitter: string; reviewer: string }>();

export interface StackOptions {
  /** Base URL of the OpenAI-compatible endpoint the worker calls (the fake LLM's `url`). */
  llmUrl: string;
  /**
   * Runs the API with an API key per caller; `Stack#keys` holds the raw keys. Default: {@link STACK_CALLERS}, whose
   * keys {@link request} sends when a test names no `token`.
   */
  callers?: StackCaller[];
  /** Runs the API with no authentication (open mode on loopback), as the quick start does. */
  open?: boolean;
  /** Extra environment per process, applied on every (re)start. */
  env?: { temporal?: Record<string, string>; worker?: Record<string, string>; api?: Record<string, string> };
}

/**
 * The three real processes of the product — embedded Temporal server, worker, API — started separately on
 * loopback so a test can kill and restart each one. Ports and the data directory stay the same across
 * restarts. Results go to PostgreSQL in a throwaway schema when `TEST_DATABASE_URL` is set, else to PGlite
 * under the data directory.
 */
export class Stack {
  readonly processes = new ProcessGroup();
  temporal: ManagedProcess | undefined;
  worker: ManagedProcess | undefined;
  api: ManagedProcess | undefined;
  #workerGeneration = 0;
  /** The raw API key of each of `options.callers`, by caller id, to send as `token` to {@link request}. */
  readonly keys: Readonly<Record<string, string>>;
  readonly #apiKeysEnv: Record<string, string>;
  readonly #defaultKeys: { submitter: string; reviewer: string } | undefined;
  readonly #apiUrls = new Set<string>();

  private constructor(
    readonly options: StackOptions,
    readonly dataDir: string,
    readonly temporalPort: number,
    readonly apiPort: number,
    readonly databaseSchema: string | undefined,
  ) {
    const callers: StackCaller[] = options.open
      ? []
      : (options.callers ?? Object.values(STACK_CALLERS).map((c) => ({ id: c.id, scopes: [...c.scopes] })));
    const keys = Object.fromEntries(callers.map((c) => [c.id, `e2e-${c.id}-${randomBytes(24).toString('hex')}`]));
    this.#defaultKeys =
      options.open || options.callers
        ? undefined
        : { submitter: keys[STACK_CALLERS.submitter.id]!, reviewer: keys[STACK_CALLERS.reviewer.id]! };
    const entries = callers.map((c) => ({
      id: c.id,
      name: callerName(c.id),
      keySha256: createHash('sha256').update(keys[c.id]!).digest('hex'),
      scopes: c.scopes,
    }));
    this.keys = keys;
    this.#apiKeysEnv = callers.length > 0 ? { API_KEYS: JSON.stringify(entries) } : {};
  }

  static async create(options: StackOptions): Promise<Stack> {
    const dataDir = await mkdtemp(join(tmpdir(), 'research-stack-'));
    const [temporalPort, apiPort] = [await findFreePort(), await findFreePort()];
    const schema = process.env.TEST_DATABASE_URL ? `e2e_${randomBytes(6).toString('hex')}` : undefined;
    return new Stack(options, dataDir, temporalPort, apiPort, schema);
  }

  get temporalAddress(): string {
    return `127.0.0.1:${this.temporalPort}`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** Starts the server, the worker and the API, and waits until each is ready. */
  async start(): Promise<this> {
    await this.startTemporal();
    await Promise.all([this.startWorker(), this.startApi()]);
    return this;
  }

  async startTemporal(): Promise<ManagedProcess> {
    this.temporal = this.processes.start({
      name: 'temporal',
      entry: ENTRIES.temporal,
      args: ['--port', String(this.temporalPort), '--host', '127.0.0.1', '--data-dir', join(this.dataDir, 'temporal')],
      env: this.options.env?.temporal,
    });
    await this.temporal.waitForOutput(/ready: gRPC on/, START_TIMEOUT_MS);
    return this.temporal;
  }

  /**
   * Starts a worker and waits until it polls. Each start gets a fresh output buffer, so `waitForOutput`
   * on the returned process only sees that generation's lines. `env` applies to this start only.
   */
  async startWorker(env: Record<string, string> = {}): Promise<ManagedProcess> {
    this.#workerGeneration += 1;
    this.worker = this.processes.start({
      name: `worker-${this.#workerGeneration}`,
      entry: ENTRIES.worker,
      env: {
        TEMPORAL_ADDRESS: this.temporalAddress,
        OPENAI_API_KEY: 'test-key',
        OPENAI_BASE_URL: this.options.llmUrl,
        OPENAI_MODEL: 'fake-model',
        FETCH_ALLOW_PRIVATE_HOSTS: 'true',
        DATA_DIR: join(this.dataDir, 'worker'),
        DATABASE_URL: process.env.TEST_DATABASE_URL,
        DATABASE_SCHEMA: this.databaseSchema,
        LOG_LEVEL: 'info',
        ...this.options.env?.worker,
        ...env,
      },
    });
    await this.worker.waitForOutput(/Worker started/, START_TIMEOUT_MS);
    return this.worker;
  }

  /**
   * Starts an API and waits until it listens. Without `port` it is the stack's API (`apiUrl`); with one it is an
   * extra replica that the caller addresses itself and that `stop()` stops with the rest. `env` applies to this
   * start only (e.g. a replica with other API keys).
   */
  async startApi(port?: number, env: Record<string, string> = {}): Promise<ManagedProcess> {
    const api = this.processes.start({
      name: port === undefined ? 'api' : `api-${port}`,
      entry: ENTRIES.api,
      env: {
        TEMPORAL_ADDRESS: this.temporalAddress,
        HOST: '127.0.0.1',
        PORT: String(port ?? this.apiPort),
        LOG_LEVEL: 'info',
        // The suites poll every 100 ms from one address, many workflows at once; the limit itself is tested in apps/api.
        RATE_LIMIT_MAX: '1000000',
        ...this.#apiKeysEnv,
        ...this.options.env?.api,
        ...env,
      },
    });
    if (port === undefined) this.api = api;
    const url = `http://127.0.0.1:${port ?? this.apiPort}`;
    this.#apiUrls.add(url);
    if (this.#defaultKeys) defaultKeys.set(url, this.#defaultKeys);
    await api.waitForOutput(/api ready/, START_TIMEOUT_MS);
    return api;
  }

  /**
   * Opens the result table the worker writes to. With PGlite the database belongs to one process, so the
   * worker must be stopped first.
   */
  async openResults(): Promise<ResultStore> {
    if (!this.databaseSchema && this.worker?.running) {
      throw new Error('stop the worker before reading PGlite results: PGlite allows one process per database');
    }
    return openResultStore({
      databaseUrl: process.env.TEST_DATABASE_URL,
      schema: this.databaseSchema,
      dataDir: join(this.dataDir, 'worker'),
    });
  }

  /** Stops every process (API and worker before the server), drops the test schema and removes the data directory. */
  async stop(): Promise<void> {
    // Clients first, so a worker never spends its grace time retrying calls to a server that is already gone.
    await Promise.all([this.api?.stop(5_000), this.worker?.stop(5_000)]);
    await this.processes.stopAll();
    for (const url of this.#apiUrls) defaultKeys.delete(url);
    if (this.databaseSchema && process.env.TEST_DATABASE_URL) {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${this.databaseSchema} CASCADE`);
      } finally {
        await client.end();
      }
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

// Routes that take a decision, or issue links that do: the reviewer's, since the submitter may not decide.
const DECISION_PATH = /^\/workflows\/[^/?]+\/(approve|approval-links)(\?|$)/;

/**
 * The `Authorization` header a request to `baseUrl` sends by default: on a stack running on {@link STACK_CALLERS},
 * the reviewer's key for `POST /workflows/:id/approve` and `/approval-links`, the submitter's for anything else;
 * nothing for other stacks (open mode, or callers of the test's own).
 */
export function defaultAuthorization(baseUrl: string, method = 'GET', path = '/'): Record<string, string> {
  const keys = defaultKeys.get(baseUrl);
  if (!keys) return {};
  const key = method === 'POST' && DECISION_PATH.test(path) ? keys.reviewer : keys.submitter;
  return { authorization: `Bearer ${key}` };
}

/**
 * A JSON request to the API; the body is parsed when present. The bearer credential is `token` when given, none
 * with `anonymous`, else {@link defaultAuthorization}.
 */
export async function request<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; token?: string; anonymous?: boolean } = {},
): Promise<HttpResponse<T>> {
  const authorization =
    options.token !== undefined
      ? { authorization: `Bearer ${options.token}` }
      : options.anonymous
        ? {}
        : defaultAuthorization(baseUrl, method, path);
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...authorization,
      ...options.headers,
    },
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** What {@link waitForWorkflow} may see while it polls without failing: nothing unless a test says so. */
export interface PollTolerance {
  /** Statuses other than 200 that count as "not yet" (e.g. 503 while the Temporal server restarts). */
  statuses?: readonly number[];
  /** Treat a refused or reset connection as "not yet" (the API process is restarting). */
  connectionErrors?: boolean;
}

/**
 * Polls `GET /workflows/:id` until `accept` holds for the body, and returns that body. Any other answer than
 * 200 — and any failed request — fails at once with the status and body, unless `tolerate` names it: a 500
 * during recovery is a failure, not a wait.
 */
export async function waitForWorkflow<T = any>(
  baseUrl: string,
  workflowId: string,
  accept: (workflow: T) => boolean,
  options: { timeoutMs?: number; description?: string; token?: string; tolerate?: PollTolerance } = {},
): Promise<T> {
  const token = options.token === undefined ? {} : { token: options.token };
  const path = `/workflows/${encodeURIComponent(workflowId)}`;
  let last = 'no answer yet';
  try {
    return await waitFor(
      async () => {
        let response: HttpResponse<T>;
        try {
          response = await request<T>(baseUrl, 'GET', path, token);
        } catch (error) {
          if (!options.tolerate?.connectionErrors) throw error;
          last = `request failed: ${(error as Error).message}`;
          return undefined;
        }
        last = `${response.status} ${JSON.stringify(response.body)}`;
        if (response.status === 200) return accept(response.body) ? response.body : undefined;
        if (options.tolerate?.statuses?.includes(response.status)) return undefined;
        throw new Error(`GET ${path} answered ${last}`);
      },
      {
        timeoutMs: options.timeoutMs ?? 60_000,
        intervalMs: 100,
        description: options.description ?? `workflow ${workflowId}`,
      },
    );
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('Timed out')) {
      throw new Error(`${error.message}; last answer: ${last.slice(0, 2_000)}`, { cause: error });
    }
    throw error;
  }
}
