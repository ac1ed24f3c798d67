// Gateway benchmark: the API against the direct SDK calls it makes, on the embedded server, with every process
// as `npm start` runs it (server, worker and API as separate processes on loopback, fake LLM and site answering
// at once).
//   npm run bench -w @research/api [-- --pipelines 200 --waiting 1000 --c1-calls 500 --c16-calls 4000
//                                    --prebuilt-bundle true|false --json FILE --profile DIR --timeout 900
//                                    --worker-env NAME=VALUE ...]
//
// Phases, in this order (each bounded in count and time; the whole run by --timeout):
//  1. RSS (VmRSS) of server, worker and API right after start-up.
//  2. Pipelines: --pipelines POST /research sent at once; pipelines/s and latency from the POST to the
//     `awaiting_approval` stage, read afterwards from each history (the memo upsert's event time).
//  3. GET /workflows/:id against the SDK calls it replaces (describe, and the state query when running) and a bare
//     describe, on the waiting pipelines, at concurrency 1 and 16.
//  4. More pipelines until --waiting wait for approval; RSS of each process then.
//  5. POST /research against `client.workflow.start` (same input, memo and id policies), at concurrency 1 and 16,
//     on a task queue no worker polls (a second API process is started for it), so the worker's CPU does not
//     blur the comparison.
// Prints a table; exits non-zero only on errors.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RESEARCH_TASK_QUEUE, RESEARCH_WORKFLOW_TYPE, STATUS_MEMO_KEY, stateQuery } from '@research/contracts';
import type { ResearchRequest } from '@research/contracts';
import { findFreePort } from '@research/testkit';
import { Client, Connection } from '@temporalio/client';
import { defaultAuthorization } from '../../../test/support/stack.js';
import { startStackWithFakes } from '../../../test/support/stack-with-fakes.js';
import { requestSha256 } from '../src/temporal/idempotency.js';
import { initialMemo, readStatusMemo } from '../src/temporal/memo.js';
import { timestampToIso } from '../src/temporal/ports.js';
import { JsonHttp, quantile, runLoad, type LoadResult } from './load.js';

const { values: argv } = parseArgs({
  options: {
    pipelines: { type: 'string', default: '200' },
    waiting: { type: 'string', default: '1000' },
    'c1-calls': { type: 'string', default: '500' },
    'c16-calls': { type: 'string', default: '4000' },
    json: { type: 'string' },
    timeout: { type: 'string', default: '900' },
    'prebuilt-bundle': { type: 'string', default: 'true' },
    profile: { type: 'string' },
    'worker-env': { type: 'string', multiple: true, default: [] },
  },
});
const int = (name: keyof typeof argv): number => {
  const value = Number(argv[name]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const PIPELINES = int('pipelines');
const WAITING = Math.max(int('waiting'), PIPELINES);
const C1_CALLS = int('c1-calls');
const C16_CALLS = int('c16-calls');
const LOAD_MAX_MS = 20_000;
const IDLE_QUEUE = 'gateway-bench-idle';

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : Number.NaN;
}

async function inBatches<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, run));
}

/** Each direct row carries `ratio`: the API's requests/s over its own, at the same concurrency. */
const results: (LoadResult & { ratio?: number })[] = [];
const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
};

const benchStart = Date.now();
const progress = (message: string): void => {
  process.stderr.write(`[gateway bench +${((Date.now() - benchStart) / 1000).toFixed(0)}s] ${message}\n`);
};
// --profile DIR: the server, every API and every worker process writes a V8 CPU profile there, <pid>.cpuprofile, when it stops
// (summarise with packages/embedded-temporal/bench/cpuprofile-top.ts).
const profileEnv = argv.profile
  ? {
      NODE_OPTIONS: `--import=${fileURLToPath(new URL('cpu-profile.mjs', import.meta.url))}`,
      CPU_PROFILE_DIR: resolve(argv.profile),
    }
  : undefined;
// --worker-env NAME=VALUE (repeatable): worker settings to compare, e.g. MAX_CACHED_WORKFLOWS=0.
const workerEnv = Object.fromEntries(
  argv['worker-env'].map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--worker-env takes NAME=VALUE, got ${pair}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
const fakes = await startStackWithFakes({
  prebuiltBundle: argv['prebuilt-bundle'] !== 'false',
  env: profileEnv
    ? { temporal: profileEnv, api: profileEnv, worker: { ...profileEnv, ...workerEnv } }
    : { worker: workerEnv },
});
const { stack, site } = fakes;
const connection = await Connection.connect({ address: stack.temporalAddress });
const client = new Client({ connection, namespace: 'default' });
const api = new JsonHttp(stack.apiUrl, defaultAuthorization(stack.apiUrl));
let idleApi: JsonHttp | undefined;
const overall = setTimeout(
  () => {
    console.error(`gateway bench: no result within --timeout ${argv.timeout}s; stopping`);
    void cleanup().finally(() => process.exit(1));
  },
  int('timeout') * 1000,
);
overall.unref();

async function cleanup(): Promise<void> {
  api.close();
  idleApi?.close();
  await connection.close().catch(() => {});
  await fakes.close();
}

const rss = () => ({
  serverMb: rssMb(stack.temporal?.pid),
  workerMb: rssMb(stack.worker?.pid),
  apiMb: rssMb(stack.api?.pid),
});
const research = (): ResearchRequest => ({ topic: `bench ${randomUUID()}`, sourceUrl: `${site.url}/article` });

/** Waits until every workflow's memo says `awaiting_approval`, polling the server with a few describes at a time. */
async function untilAwaiting(ids: readonly string[], timeoutMs: number): Promise<void> {
  let pending = [...ids];
  const deadline = Date.now() + timeoutMs;
  while (pending.length > 0) {
    if (Date.now() > deadline) throw new Error(`${pending.length} pipelines not awaiting approval in ${timeoutMs}ms`);
    const still: string[] = [];
    await inBatches(pending, 4, async (id) => {
      const description = await client.workflow.getHandle(id).describe();
      const stage = readStatusMemo(description.memo)?.stage;
      if (stage === 'failed') throw new Error(`pipeline ${id} failed`);
      if (stage !== 'awaiting_approval') still.push(id);
    });
    pending = still;
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** When (epoch ms) the workflow published `awaiting_approval`, from the memo upsert event in its history. */
async function awaitingAt(id: string): Promise<number> {
  const history = await client.workflow.getHandle(id).fetchHistory();
  for (const event of history.events ?? []) {
    const field = event.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.[STATUS_MEMO_KEY];
    if (!field?.data) continue;
    const memo = { [STATUS_MEMO_KEY]: JSON.parse(Buffer.from(field.data).toString('utf8')) };
    if (readStatusMemo(memo)?.stage === 'awaiting_approval') return Date.parse(timestampToIso(event.eventTime)!);
  }
  throw new Error(`pipeline ${id}: no awaiting_approval memo in its history`);
}

const postResearch = (http: JsonHttp) => async (): Promise<string> =>
  (await http.call('POST', '/research', 202, research())).workflowId;

/** Runs the API call and its direct counterpart back to back at both concurrencies, each after a warm-up. */
async function compare(
  name: string,
  viaApi: (i: number) => Promise<unknown>,
  direct: [string, (i: number) => Promise<unknown>][],
): Promise<void> {
  for (const [concurrency, count] of [
    [1, C1_CALLS],
    [16, C16_CALLS],
  ] as const) {
    let apiRow: LoadResult | undefined;
    for (const [label, call] of [[`${name} via API`, viaApi] as const, ...direct]) {
      await runLoad('warm-up', { concurrency, count: Math.min(count, 200), maxMs: LOAD_MAX_MS }, call);
      const row = await runLoad(label, { concurrency, count, maxMs: LOAD_MAX_MS }, call);
      results.push(apiRow ? { ...row, ratio: Number((apiRow.perSecond / row.perSecond).toFixed(2)) } : row);
      apiRow ??= row;
    }
  }
}

try {
  report.startupRss = rss();
  progress(`started; RSS ${JSON.stringify(report.startupRss)}`);

  // 2. Pipelines to awaiting_approval.
  const posted = new Map<string, number>();
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: PIPELINES }, async () => {
      const sent = Date.now();
      posted.set(await postResearch(api)(), sent);
    }),
  );
  await untilAwaiting([...posted.keys()], 300_000);
  const reached = new Map<string, number>();
  await inBatches([...posted.keys()], 8, async (id) => void reached.set(id, await awaitingAt(id)));
  const latencies = [...posted].map(([id, sent]) => reached.get(id)! - sent).sort((a, b) => a - b);
  const last = Math.max(...reached.values());
  report.pipelines = {
    count: PIPELINES,
    perSecond: Number(((PIPELINES / (last - t0)) * 1000).toFixed(1)),
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies.at(-1),
  };

  progress(`pipelines ${JSON.stringify(report.pipelines)}`);

  // 3. GET /workflows/:id against what it replaces.
  const waiting = [...posted.keys()];
  const pick = (i: number) => waiting[i % waiting.length]!;
  await compare('GET /workflows/:id', (i) => api.call('GET', `/workflows/${pick(i)}`, 200), [
    [
      'describe + state query (SDK)',
      async (i) => {
        const handle = client.workflow.getHandle(pick(i));
        const description = await handle.describe();
        if (description.status.name === 'RUNNING') await handle.query(stateQuery);
      },
    ],
    ['bare describe (SDK)', (i) => client.workflow.getHandle(pick(i)).describe()],
  ]);

  progress('GET compared');

  // 4. Up to WAITING pipelines waiting for approval.
  const more: string[] = [];
  await runLoad('fill', { concurrency: 16, count: WAITING - PIPELINES, maxMs: 300_000 }, async () => {
    more.push(await postResearch(api)());
  });
  await untilAwaiting(more, 600_000);
  report.waitingRss = { pipelines: WAITING, ...rss() };
  progress(`RSS with ${WAITING} waiting ${JSON.stringify(report.waitingRss)}`);

  // 5. POST /research against client.workflow.start, on a queue no worker polls.
  const idlePort = await findFreePort();
  const env = stack.options.env;
  stack.options.env = { ...env, api: { ...env?.api, TASK_QUEUE: IDLE_QUEUE } };
  try {
    await stack.startApi(idlePort);
  } finally {
    stack.options.env = env;
  }
  const idleUrl = `http://127.0.0.1:${idlePort}`;
  idleApi = new JsonHttp(idleUrl, defaultAuthorization(idleUrl));
  await compare('POST /research', postResearch(idleApi), [
    [
      'client.workflow.start (SDK)',
      async () => {
        const request = research();
        await client.workflow.start(RESEARCH_WORKFLOW_TYPE, {
          taskQueue: IDLE_QUEUE,
          workflowId: randomUUID(),
          args: [request],
          memo: initialMemo(request, requestSha256(request), undefined),
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      },
    ],
  ]);
  report.loads = results;
  report.loadAverageAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
} finally {
  clearTimeout(overall);
  await cleanup();
}

const ms = (value: number) => value.toFixed(2).padStart(8);
console.log(
  `\ngateway bench ${String(report.date)}  load average ${JSON.stringify(report.loadAverageAtStart)} → ${JSON.stringify(report.loadAverageAtEnd)}`,
);
console.log(`task queue ${RESEARCH_TASK_QUEUE}; comparisons below: ratio = via API / direct (requests/s)\n`);
console.log(`${'call'.padEnd(34)} conc   calls    req/s   p50 ms   p99 ms   ratio`);
for (const result of results) {
  const ratio = result.ratio === undefined ? '' : result.ratio.toFixed(2);
  console.log(
    `${result.label.padEnd(34)} ${String(result.concurrency).padStart(4)} ${String(result.calls).padStart(7)} ${result.perSecond.toFixed(0).padStart(8)} ${ms(result.p50Ms)} ${ms(result.p99Ms)}   ${ratio}`,
  );
}
console.log(`\npipelines to awaiting_approval: ${JSON.stringify(report.pipelines)}`);
console.log(`RSS after start-up (MB): ${JSON.stringify(report.startupRss)}`);
console.log(`RSS with ${WAITING} pipelines waiting (MB): ${JSON.stringify(report.waitingRss)}`);
if (argv.json) writeFileSync(argv.json, `${JSON.stringify(report, null, 2)}\n`);
