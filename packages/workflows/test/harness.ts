// Test harness for the research workflow: an embedded Temporal server, one workflow bundle for the whole file,
// and a worker per test on its own task queue with stub activities.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type {
  DecisionReceipt,
  Draft,
  FetchedSource,
  NotificationActivities,
  ResearchActivities,
  ResearchInput,
  SaveResultInput,
  WebhookDelivery,
  WrittenDraft,
} from '@research/contracts';
import { RESEARCH_WORKFLOW_TYPE } from '@research/contracts';
import { startEmbeddedTemporal } from '@research/embedded-temporal';
import type { research } from '../src/index.js';
import { UNTRACED_SPAN_SINKS, workflowBundleOptions } from '../src/bundle-options.js';

/** What a test worker registers: the pipeline's steps and, for runs with webhook targets, the webhook send. */
export type TestActivities = ResearchActivities & Partial<NotificationActivities>;

export interface Harness {
  client: Client;
  /**
   * Runs `fn` while a worker with `activities` polls a task queue (a fresh one unless `taskQueue` is given);
   * the worker is shut down afterwards.
   */
  withWorker<T>(
    activities: TestActivities,
    fn: (taskQueue: string) => Promise<T>,
    options?: { taskQueue?: string },
  ): Promise<T>;
  /** Starts a research pipeline with `input` on `taskQueue`, under a fresh workflow id. */
  startResearch(taskQueue: string, input: ResearchInput): Promise<WorkflowHandle<typeof research>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Identity of the client and the workers, which the server writes into history; default `pid@hostname`. */
  identity?: string;
}

const WORKFLOWS_PATH = fileURLToPath(new URL('../src/index.ts', import.meta.url));

/**
 * Bundles the workflows of `src/index.ts` from their TypeScript sources with the production worker's bundle
 * options (`src/bundle-options.ts`: OpenTelemetry's workflow interceptor compiled in), as the tests, the history
 * recorder and the replay test run them.
 */
export function bundleResearchWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ ...workflowBundleOptions(WORKFLOWS_PATH), logger: new DefaultLogger('WARN') });
}

/**
 * The bundle without the production interceptor modules, as the recorder made it before it used the production
 * options: the replay test still replays the fixtures recorded so (`RECORDED_WITHOUT_INTERCEPTORS`) with it.
 */
export function bundleResearchWorkflowsWithoutInterceptors(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    ...workflowBundleOptions(WORKFLOWS_PATH),
    workflowInterceptorModules: [],
    logger: new DefaultLogger('WARN'),
  });
}

/** Starts an in-memory embedded Temporal server on a free loopback port and bundles the workflows once. */
export async function startHarness({ identity }: HarnessOptions = {}): Promise<Harness> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const workflowBundle = await bundleResearchWorkflows();
  const server = await startEmbeddedTemporal({ port: 0 });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default', ...(identity === undefined ? {} : { identity }) });

  return {
    client,
    async withWorker(activities, fn, { taskQueue = `research-test-${randomUUID()}` } = {}) {
      const worker = await Worker.create({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        workflowBundle,
        activities,
        sinks: UNTRACED_SPAN_SINKS,
        shutdownGraceTime: '1s',
        ...(identity === undefined ? {} : { identity }),
      });
      return worker.runUntil(() => fn(taskQueue));
    },
    startResearch(taskQueue, input) {
      return client.workflow.start<typeof research>(RESEARCH_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: `research-${randomUUID()}`,
        args: [input],
      });
    },
    async close() {
      await connection.close();
      await nativeConnection.close();
      await server.stop();
    },
  };
}

export interface Gate {
  promise: Promise<void>;
  open(): void;
}

/** A promise the test resolves when it wants a stub activity to continue. */
export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Polls `read` until `accept` holds or the deadline passes; returns the last value read. */
export async function waitFor<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs}ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const SOURCE: FetchedSource = {
  finalUrl: 'https://example.com/article',
  title: 'An article',
  text: 'Durable execution keeps long-running pipelines alive across crashes.',
  contentType: 'text/html',
  truncated: false,
  sha256: 'a'.repeat(64),
};

export const DRAFT: Draft = {
  summary: 'Durable execution survives crashes.',
  model: 'stub-model',
  usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
  sha256: 'd'.repeat(64),
};

/** The stub LLM's structured draft: every quote occurs in {@link SOURCE}'s text. */
export const WRITTEN: WrittenDraft = {
  summary: DRAFT.summary,
  points: [
    { text: 'Durable execution is the subject.', citations: [{ source: 1, quote: 'Durable execution' }] },
    { text: 'Pipelines can run long.', citations: [{ source: 1, quote: 'long-running pipelines' }] },
    { text: 'They survive crashes.', citations: [{ source: 1, quote: 'alive across crashes' }] },
  ],
  model: DRAFT.model,
  usage: DRAFT.usage,
  costUsd: 0.0012,
  sha256: 'd'.repeat(64),
  sourcesSha256: SOURCE.sha256 ?? null,
};

/** The draft a run of `INPUT` with the stub activities shows: {@link WRITTEN}, checked against {@link SOURCE}. */
export function groundedDraft(url = 'https://example.com/article'): Draft {
  return {
    summary: WRITTEN.summary,
    model: WRITTEN.model,
    usage: WRITTEN.usage,
    sha256: WRITTEN.sha256,
    cost: WRITTEN.costUsd,
    version: 1,
    points: WRITTEN.points.map((p) => ({ ...p, citations: p.citations.map((c) => ({ ...c, verified: true })) })),
    grounding: { verified: 3, unverified: 0, regenerated: false, warning: null },
    sources: [
      {
        index: 1,
        url,
        fetched: true,
        finalUrl: SOURCE.finalUrl,
        title: SOURCE.title,
        sha256: SOURCE.sha256 ?? null,
        failure: null,
      },
    ],
  };
}

export interface StubActivities {
  activities: ResearchActivities & NotificationActivities;
  /** Every `saveResult` call, in order. */
  saved: SaveResultInput[];
  /** Every `recordDecision` call, in order. */
  receipts: DecisionReceipt[];
  /** Every `deliverWebhook` call (each attempt), in order. */
  webhooks: WebhookDelivery[];
}

/** Stub activities that answer at once, recording what was saved. Override single steps with `overrides`. */
export function stubActivities(overrides: Partial<ResearchActivities & NotificationActivities> = {}): StubActivities {
  const saved: SaveResultInput[] = [];
  const receipts: DecisionReceipt[] = [];
  const webhooks: WebhookDelivery[] = [];
  const activities: ResearchActivities & NotificationActivities = {
    fetchSource: async () => SOURCE,
    summarize: async () => DRAFT,
    writeDraft: async () => WRITTEN,
    takeNotes: async () => WRITTEN,
    diffSummary: async ({ draftSummary, draftSha256, editedSummary }) => ({
      draftSha256,
      editedSha256: 'f'.repeat(64),
      diff: `-${draftSummary}\n+${editedSummary}\n`,
    }),
    saveResult: async (input) => {
      saved.push(input);
    },
    recordDecision: async (receipt) => {
      receipts.push(receipt);
    },
    deliverWebhook: async (delivery) => {
      webhooks.push(delivery);
      return { attempts: 1, status: 204 };
    },
    ...overrides,
  };
  return { activities, saved, receipts, webhooks };
}
