// Replay compatibility of the OpenTelemetry workflow interceptor module (WORKFLOW_INTERCEPTOR_MODULES): histories
// recorded before it existed replay with it; histories recorded with it need it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { RESEARCH_WORKFLOW_TYPE, approveUpdate, stateQuery } from '@research/contracts';
import type { ResearchActivities } from '@research/contracts';
import { startEmbeddedTemporal } from '@research/embedded-temporal';
import type { EmbeddedTemporal } from '@research/embedded-temporal';
import { waitFor } from '@research/testkit';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowSpanSinks } from '../src/tracing.js';
import { WORKFLOW_INTERCEPTOR_MODULES, withSourceCondition, workflowsEntryPath } from '../src/workflow-source.js';

const activities: ResearchActivities = {
  fetchSource: async () => ({
    finalUrl: 'https://example.com/article',
    title: 'An article',
    text: 'Durable execution keeps long-running pipelines alive across crashes.',
    contentType: 'text/html',
    truncated: false,
  }),
  summarize: async () => ({
    summary: 'Durable execution survives crashes.',
    model: 'stub-model',
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
  }),
  writeDraft: async () => ({
    summary: 'Durable execution survives crashes.',
    points: [1, 2, 3].map(() => ({ text: 'It survives.', citations: [{ source: 1, quote: 'alive across crashes' }] })),
    model: 'stub-model',
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
    sha256: 'd'.repeat(64),
    sourcesSha256: null,
    costUsd: null,
  }),
  takeNotes: async () => {
    throw new Error('no notes in these runs');
  },
  diffSummary: async ({ draftSha256 }) => ({ draftSha256, editedSha256: 'f'.repeat(64), diff: '' }),
  saveResult: async () => undefined,
  recordDecision: async () => undefined,
};

const T = { timeout: 60_000 };

let server: EmbeddedTemporal;
let nativeConnection: NativeConnection;
let connection: Connection;
let client: Client;
const bundles: Partial<Record<'plain' | 'traced', WorkflowBundleWithSourceMap>> = {};

const bundle = (workflowInterceptorModules: string[]) =>
  bundleWorkflowCode({
    workflowsPath: workflowsEntryPath(),
    workflowInterceptorModules,
    webpackConfigHook: withSourceCondition,
    logger: new DefaultLogger('WARN'),
  });

before(
  async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    bundles.plain = await bundle([]);
    bundles.traced = await bundle([...WORKFLOW_INTERCEPTOR_MODULES]);
    server = await startEmbeddedTemporal({ port: 0 });
    nativeConnection = await NativeConnection.connect({ address: server.address });
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection, namespace: 'default' });
  },
  { timeout: 120_000 },
);

after(async () => {
  await connection?.close();
  await nativeConnection?.close();
  await server?.stop();
});

/** Runs one approved pipeline on a worker loading `recordWith`, and returns its history. */
async function record(recordWith: 'plain' | 'traced') {
  const taskQueue = `replay-${randomUUID()}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: bundles[recordWith]!,
    activities,
    sinks: workflowSpanSinks(undefined),
  });
  return worker.runUntil(async () => {
    const handle: WorkflowHandle = await client.workflow.start(RESEARCH_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `research-${randomUUID()}`,
      args: [{ topic: 'replay', sourceUrl: 'https://example.com/article' }],
    });
    await waitFor(async () => (await handle.query(stateQuery)).stage === 'awaiting_approval', {
      timeoutMs: 20_000,
      description: 'awaiting_approval',
    });
    await handle.executeUpdate(approveUpdate, { args: [{ approved: true }] });
    await handle.result();
    return handle.fetchHistory();
  });
}

const replay = (history: Awaited<ReturnType<typeof record>>, replayWith: 'plain' | 'traced') =>
  Worker.runReplayHistory({ workflowBundle: bundles[replayWith]!, sinks: workflowSpanSinks(undefined) }, history);

test('a history recorded without the tracing interceptor (before it existed) replays with it', T, async () => {
  const history = await record('plain');
  assert.ok(history.events && history.events.length > 10, 'a full pipeline history');
  await replay(history, 'traced');
});

test('a history recorded with the tracing interceptor replays with it', T, async () => {
  await replay(await record('traced'), 'traced');
});

// Why the module is in every bundle, with tracing on or off, and must stay there: its update handling settles the
// approval a few microtasks later, which orders the workflow's commands differently.
test('a history recorded with the tracing interceptor does not replay without it', T, async () => {
  const history = await record('traced');
  await assert.rejects(replay(history, 'plain'), { name: 'DeterminismViolationError', message: /nondeterminism/ });
});
