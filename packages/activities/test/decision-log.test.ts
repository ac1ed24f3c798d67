import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { DecisionReceipt } from '@research/contracts';
import { createActivities } from '../src/create-activities.js';
import { GENESIS_HASH, chainHash } from '../src/decision-log.js';
import type { ResultStore } from '../src/result-store.js';
import { createTestDatabase, fetchConfig, llmConfig, mockEnvironment, type TestDatabase } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = 'packages/activities/scripts/audit-verify.ts';

const receipt = (n: number, overrides: Partial<DecisionReceipt> = {}): DecisionReceipt => ({
  decisionId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  workflowId: `wf-${n}`,
  runId: `run-${n}`,
  decidedBy: { id: 'ben', name: 'Ben', method: 'api-key' },
  reviewer: 'ben',
  decidedAt: `2025-01-02T03:04:0${n % 10}.000Z`,
  approved: n % 2 === 0,
  comment: `comment ${n}`,
  draftSha256: 'd'.repeat(64),
  sourceSha256: 'a'.repeat(64),
  requestId: `req-${n}`,
  ...overrides,
});

/** Runs `npm run audit:verify`'s script against `database`; resolves with its exit code and output. */
async function auditVerify(database: TestDatabase): Promise<{ code: number; output: string }> {
  const run = promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', SCRIPT], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...database.env },
  });
  try {
    const { stdout, stderr } = await run;
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe(`decision log (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let store: ResultStore | undefined;
  const open = async (): Promise<ResultStore> => (store = await database.open());
  const close = async (): Promise<void> => {
    await store?.close();
    store = undefined;
  };
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await close();
    await database.destroy();
  });

  it('recordDecision appends a receipt once, however often it is retried, chained from the genesis hash', async () => {
    const opened = await open();
    const log = opened.decisions;
    const { recordDecision } = createActivities({
      config: { fetch: fetchConfig(), llm: llmConfig('http://127.0.0.1:1/v1') },
      store: opened,
    });
    const first = receipt(1);
    await mockEnvironment().run(recordDecision, first);
    await mockEnvironment().run(recordDecision, first);
    assert.deepEqual(await log.list('wf-1'), [first]);
    assert.equal(await log.append(first), false);
    assert.deepEqual(await log.verify(), { rows: 1, broken: null });
    assert.notEqual(chainHash(GENESIS_HASH, first), chainHash(GENESIS_HASH, { ...first, comment: 'other' }));
    await close();
  });

  it('keeps one chain when receipts are appended concurrently', async () => {
    const log = (await open()).decisions;
    await Promise.all([2, 3, 4, 5, 6, 7].map((n) => log.append(receipt(n))));
    assert.deepEqual(await log.verify(), { rows: 7, broken: null });
    await close();
  });

  it('audit:verify exits 0 with the count when the chain holds', async () => {
    const { code, output } = await auditVerify(database);
    assert.equal(code, 0, output);
    assert.match(output, /OK, 7 decision receipt\(s\)/);
  });

  it('audit:verify exits 1 naming the first edited row when a comment is changed', async () => {
    await database.sql(`UPDATE research_decisions SET comment = 'approved after all' WHERE decision_id = $1`, [
      receipt(4).decisionId,
    ]);
    const { code, output } = await auditVerify(database);
    assert.equal(code, 1, output);
    assert.match(output, new RegExp(`BROKEN at row seq=\\d+ decision_id=${receipt(4).decisionId}: its content`));
    await database.sql(`UPDATE research_decisions SET comment = $2 WHERE decision_id = $1`, [
      receipt(4).decisionId,
      receipt(4).comment,
    ]);
    assert.equal((await auditVerify(database)).code, 0, 'restoring the comment restores the chain');
  });

  it('audit:verify exits 1 naming the row after a deleted one', async () => {
    const log = (await open()).decisions;
    const { rows } = await log.verify();
    assert.equal(rows, 7);
    await close();
    // The row appended second to last; the last row is the one whose link now fails.
    await database.sql(
      'DELETE FROM research_decisions WHERE seq = (SELECT seq FROM research_decisions ORDER BY seq DESC OFFSET 1 LIMIT 1)',
    );
    const { code, output } = await auditVerify(database);
    assert.equal(code, 1, output);
    assert.match(output, /BROKEN at row seq=\d+ decision_id=\S+: its prev_hash is not the hash of the row before it/);
  });
});
