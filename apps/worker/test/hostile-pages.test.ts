// A page built to make HTML conversion slow must not stall the worker: the real worker (createWorker) runs against
// the embedded server, with real activities, the fake site and the fake LLM.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { RESEARCH_WORKFLOW_TYPE, stateQuery, type ResearchInput, type Stage } from '@research/contracts';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '@research/embedded-temporal';
import { startFakeLlm, startFakeSite, waitFor, type FakeLlm, type FakeSite } from '@research/testkit';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createWorker, type ResearchWorker } from '../src/worker.js';

const HTML = { 'content-type': 'text/html; charset=utf-8' };
/** 200 000 rows, about 6 MB: html-to-text's dataTable layout took minutes on it, blocking the event loop. */
const TABLE_PAGE = `<html><body><table>${'<tr><td>cell</td><td>value</td></tr>'.repeat(200_000)}</table></body></html>`;
/** 20 000 nested elements: a recursive walk overflows the stack. */
const DEEP_PAGE = `<html><body><p>Deep page.</p>${'<div>'.repeat(20_000)}deep${'</div>'.repeat(20_000)}</body></html>`;

describe('a worker converting hostile pages', () => {
  let server: EmbeddedTemporal;
  let site: FakeSite;
  let llm: FakeLlm;
  let connection: Connection;
  let client: Client;
  let research: ResearchWorker;
  let running: Promise<void>;
  let dataDir: string;
  const taskQueue = `hostile-pages-${randomUUID()}`;

  before(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    dataDir = await mkdtemp(join(tmpdir(), 'worker-hostile-'));
    [server, site, llm] = await Promise.all([startEmbeddedTemporal({ port: 0 }), startFakeSite(), startFakeLlm()]);
    site.route('/table', { headers: HTML, body: TABLE_PAGE });
    site.route('/deep', { headers: HTML, body: DEEP_PAGE });
    const databaseUrl = process.env.TEST_DATABASE_URL || undefined;
    const config = loadConfig({
      TEMPORAL_ADDRESS: server.address,
      TASK_QUEUE: taskQueue,
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: llm.url,
      FETCH_ALLOW_PRIVATE_HOSTS: 'true',
      HTML_EXTRACT_TIMEOUT_MS: '3000',
      ...(databaseUrl === undefined
        ? { DATA_DIR: dataDir }
        : { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: `worker_hostile_${process.pid}` }),
    });
    research = await createWorker(config, createLogger('error'));
    running = research.worker.run();
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection });
  });

  after(async () => {
    if (research) {
      research.worker.shutdown();
      await running;
      await research.close();
    }
    await connection?.close();
    await Promise.all([server?.stop(), site?.close(), llm?.close()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = async (path: string) => {
    const input: ResearchInput = { topic: 'durable execution', sourceUrl: `${site.url}${path}` };
    const handle = await client.workflow.start(RESEARCH_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `research-${randomUUID()}`,
      args: [input],
    });
    return { handle, startedAt: Date.now() };
  };

  /** Waits until the pipeline stops at approval or fails; returns the stage and how long it took. */
  const settled = async ({ handle, startedAt }: Awaited<ReturnType<typeof start>>, timeoutMs: number) => {
    const stage = await waitFor(
      async () => {
        const { stage } = await handle.query(stateQuery);
        return stage === 'awaiting_approval' || stage === 'failed' ? stage : undefined;
      },
      { timeoutMs, intervalMs: 50, retryOnError: true, description: `${handle.workflowId} to settle` },
    );
    return { stage: stage satisfies Stage, elapsedMs: Date.now() - startedAt };
  };

  const llmCallsFor = (path: string): number =>
    llm.calls.filter((call) => JSON.stringify(call.body.messages).includes(`Source URL: ${site.url}${path}\\n`)).length;

  it('ends each hostile page within seconds while another pipeline reaches approval with no extra attempts', async () => {
    const table = await start('/table');
    const deep = await start('/deep');
    const article = await start('/article');

    const [tableEnd, deepEnd, articleEnd] = await Promise.all([
      settled(table, 20_000),
      settled(deep, 20_000),
      settled(article, 20_000),
    ]);

    assert.equal(articleEnd.stage, 'awaiting_approval');
    // The first conversion also pays for starting a thread; the conversions themselves are bounded.
    for (const [name, end] of [
      ['table', tableEnd],
      ['deep', deepEnd],
      ['article', articleEnd],
    ] as const) {
      assert.ok(end.elapsedMs < 10_000, `${name} took ${end.elapsedMs} ms`);
    }
    // Text (cut by the extraction limits) or a non-retryable SourceUnreadable: either way one attempt each.
    for (const path of ['/table', '/deep', '/article']) {
      assert.equal(site.hitCount(path), 1, `fetches of ${path}`);
    }
    assert.equal(llmCallsFor('/article'), 1);
    for (const [path, end] of [
      ['/table', tableEnd],
      ['/deep', deepEnd],
    ] as const) {
      assert.equal(llmCallsFor(path), end.stage === 'awaiting_approval' ? 1 : 0, `LLM calls for ${path}`);
    }
  });
});
