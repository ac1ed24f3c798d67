// Fault suite: the product scaled out — two API replicas and two workers on one Temporal server and one PostgreSQL
// database — loses nothing when one worker is SIGKILLed in the middle of the load.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findFreePort, type ManagedProcess } from '@research/testkit';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';
import { articleAt, readResults, request, waitFor } from './support.js';

const PIPELINES = 100;

describe(
  'scale-out: two APIs and two workers on PostgreSQL',
  {
    timeout: 600_000,
    skip: process.env.TEST_DATABASE_URL
      ? false
      : 'needs PostgreSQL: set TEST_DATABASE_URL (an embedded PGlite database serves one worker only)',
  },
  () => {
    let f: StackWithFakes;
    let apis: string[];
    let firstWorker: ManagedProcess;
    before(async () => {
      f = await startStackWithFakes();
      firstWorker = f.stack.worker!;
      const secondApiPort = await findFreePort();
      await Promise.all([f.stack.startWorker(), f.stack.startApi(secondApiPort)]);
      apis = [f.stack.apiUrl, `http://127.0.0.1:${secondApiPort}`];
    });
    after(async () => {
      await f?.close();
    });

    test(`${PIPELINES} pipelines posted across both APIs, one worker SIGKILLed midway: all complete, ${PIPELINES} rows`, async (t) => {
      const { stack, site, llm } = f;
      const sourceUrl = articleAt(site, '/scale-out');
      // A slow LLM keeps summaries in flight on both workers when one is killed.
      llm.setBehaviour({ kind: 'delay', ms: 2_000 });
      const started = Date.now();
      const ids: string[] = [];
      // Ten at a time, alternating between the APIs.
      for (let batch = 0; batch < PIPELINES; batch += 10) {
        const responses = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            request(apis[(batch + i) % 2]!, 'POST', '/research', {
              body: { topic: `scale-out ${batch + i}`, sourceUrl, approvalTimeout: '10m' },
            }),
          ),
        );
        for (const response of responses) {
          assert.equal(response.status, 202, JSON.stringify(response.body));
          ids.push(response.body.workflowId as string);
        }
      }
      assert.equal(new Set(ids).size, PIPELINES);

      // Every view, read through either API.
      const views = async () =>
        Promise.all(
          ids.map(async (id, i) => {
            const response = await request(apis[(i + 1) % 2]!, 'GET', `/workflows/${encodeURIComponent(id)}`);
            assert.equal(response.status, 200, JSON.stringify(response.body));
            return response.body as { stage: string; status: string };
          }),
        );
      const awaiting = async () => (await views()).filter((view) => view.stage === 'awaiting_approval').length;

      // Midway: summaries are in flight on both workers, and some pipelines have not been fetched yet.
      await llm.waitForCalls(PIPELINES / 4, 120_000);
      await firstWorker.kill('SIGKILL');
      const reached = await awaiting();
      t.diagnostic(`worker killed after ${llm.callCount} LLM calls, ${reached} of ${PIPELINES} awaiting approval`);
      assert.ok(reached < PIPELINES, 'the worker was killed after the work was done');

      await waitFor(async () => ((await awaiting()) === PIPELINES ? true : undefined), {
        timeoutMs: 180_000,
        intervalMs: 1_000,
        description: `all ${PIPELINES} pipelines awaiting approval on the remaining worker`,
      });
      // Decided through the API that did not start the pipeline. A workflow whose cached state was on the killed
      // worker answers its first update only once the server gives up on that worker's sticky queue, so a decision
      // can get 504; the client then does what the problem says: check the workflow and retry if still undecided.
      let timeouts = 0;
      const decide = async (id: string, api: string): Promise<void> => {
        const path = `/workflows/${encodeURIComponent(id)}`;
        await waitFor(
          async () => {
            const response = await request(api, 'POST', `${path}/approve`, {
              body: { approved: true },
            });
            if (response.status === 200) return true;
            if (response.status === 504 && response.body.code === 'WORKFLOW_TIMEOUT') {
              timeouts += 1;
              return undefined;
            }
            // 409: an earlier attempt that timed out was applied after all.
            const view = await request(api, 'GET', path);
            assert.equal(response.status, 409, JSON.stringify(response.body));
            assert.notEqual(view.body.stage, 'awaiting_approval', JSON.stringify(view.body));
            return true;
          },
          { timeoutMs: 120_000, intervalMs: 1_000, description: `the decision on ${id}` },
        );
      };
      for (let batch = 0; batch < PIPELINES; batch += 10) {
        await Promise.all(ids.slice(batch, batch + 10).map((id, i) => decide(id, apis[(batch + i + 1) % 2]!)));
      }
      t.diagnostic(`${timeouts} decisions answered 504 first (workflows cached on the killed worker)`);
      await waitFor(async () => ((await views()).every((view) => view.status === 'COMPLETED') ? true : undefined), {
        timeoutMs: 120_000,
        intervalMs: 1_000,
        description: `all ${PIPELINES} pipelines completed`,
      });
      t.diagnostic(`${PIPELINES} pipelines completed in ${Date.now() - started} ms`);

      const { rows, total } = await readResults(stack, ids);
      assert.equal(rows.size, PIPELINES);
      assert.equal(total, PIPELINES);
      for (const row of rows.values()) assert.equal(row.outcome, 'approved');
    });
  },
);
