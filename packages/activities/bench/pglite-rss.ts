/**
 * RSS of a process that holds the embedded result database (PGlite) the way the worker does: open the store under a
 * data directory (running the migrations), save results and append decision receipts, then sit idle.
 *
 *   node --conditions=source --expose-gc --import tsx packages/activities/bench/pglite-rss.ts \
 *     [--results 1000] [--data-dir DIR] [--json]
 *
 * Without `--data-dir` a fresh temporary directory is used and removed at the end: the first start, when the
 * database is created. Every later start is measured with `--data-dir DIR`, a directory made by an earlier run (the
 * database lives in `DIR/results-db`, as under the worker's DATA_DIR).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DecisionReceipt, ResearchResult } from '@research/contracts';
import { openResultStore, type ResultStore } from '../src/result-store.js';

const { values: args } = parseArgs({
  options: {
    results: { type: 'string', default: '1000' },
    'data-dir': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const count = Number(args.results);
if (!Number.isInteger(count) || count < 0) throw new Error(`--results must be a whole number, got ${args.results}`);

/** VmRSS and VmHWM (peak RSS) of this process, in MB, from /proc/self/status. */
function memory(): { rssMb: number; peakMb: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

const gc = (globalThis as { gc?: () => void }).gc;
/** Lets the garbage collector return what it can, as a process idle for a while would. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i += 1) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const steps: { step: string; rssMb: number; peakMb: number }[] = [];
function record(step: string): void {
  const entry = { step, ...memory() };
  steps.push(entry);
  if (!args.json) console.log(`${step.padEnd(34)} rss ${String(entry.rssMb).padStart(5)} MB  peak ${entry.peakMb} MB`);
}

const result = (i: number): ResearchResult => ({
  outcome: 'approved',
  summary: `Summary ${i}: ${'lorem ipsum dolor sit amet '.repeat(40)}`,
  topic: `Topic ${i}`,
  sourceUrl: `https://example.test/source/${i}`,
  reviewer: 'bench',
  comment: 'Accurate.',
  decidedAt: new Date().toISOString(),
  usage: { promptTokens: 1200, completionTokens: 300, totalTokens: 1500 },
});

const receipt = (workflowId: string, runId: string): DecisionReceipt => ({
  decisionId: randomUUID(),
  workflowId,
  runId,
  decidedBy: { id: null, name: null, method: 'open' },
  reviewer: 'bench',
  decidedAt: new Date().toISOString(),
  approved: true,
  comment: 'Accurate.',
  draftSha256: 'a'.repeat(64),
  sourceSha256: 'b'.repeat(64),
  requestId: randomUUID(),
});

const ownDir = args['data-dir'] === undefined;
const dataDir = args['data-dir'] ?? (await mkdtemp(join(tmpdir(), 'pglite-rss-')));
let store: ResultStore | undefined;
try {
  if (gc === undefined) console.warn('run with --expose-gc for the "settled" steps to mean anything');
  await settle();
  record('start');
  await import('@electric-sql/pglite');
  record('PGlite module loaded');
  store = await openResultStore({ dataDir });
  record('store open, migrated');
  await settle();
  record('store open, settled');
  for (let i = 0; i < count; i += 1) {
    const workflowId = `research-bench-${i}`;
    const runId = randomUUID();
    await store.save({ workflowId, runId, result: result(i) });
    await store.decisions.append(receipt(workflowId, runId));
  }
  record(`${count} results + receipts written`);
  if ((await store.count()) < count) throw new Error('the store holds fewer results than were written');
  const chain = await store.decisions.verify();
  if (chain.broken !== null) throw new Error(`decision chain broken at ${chain.broken.seq}: ${chain.broken.reason}`);
  record(`chain of ${chain.rows} verified`);
  await settle();
  record('settled');
} finally {
  await store?.close();
  if (ownDir) await rm(dataDir, { recursive: true, force: true });
}
if (args.json) console.log(JSON.stringify({ dataDir: ownDir ? null : dataDir, steps }));
