import { createHash } from 'node:crypto';
import type { DecisionMethod, DecisionReceipt } from '@research/contracts';
import type { Database, SqlExecutor } from './database.js';

/** `prev_hash` of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

interface DecisionRow extends Record<string, unknown> {
  seq: string | number;
  decision_id: string;
  workflow_id: string;
  run_id: string;
  caller_id: string | null;
  caller_name: string | null;
  auth_method: string;
  reviewer: string | null;
  decided_at: string;
  approved: boolean;
  comment: string | null;
  draft_sha256: string | null;
  source_sha256: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

/** Result of {@link DecisionLog.verify}: the number of rows checked, and the first row that breaks the chain. */
export interface ChainVerification {
  rows: number;
  broken: { seq: number; decisionId: string; reason: string } | null;
}

/** The append-only, hash-chained `research_decisions` table. */
export interface DecisionLog {
  /**
   * Appends `receipt` unless a row with its decision id exists (an activity retry), under a table lock so two
   * writers never chain onto the same previous row.
   * @returns whether a row was appended.
   */
  append(receipt: DecisionReceipt): Promise<boolean>;
  /** Receipts of one workflow in chain order. */
  list(workflowId: string): Promise<DecisionReceipt[]>;
  /** Recomputes every row's hash in order and reports the first row whose link or content does not match. */
  verify(): Promise<ChainVerification>;
}

/**
 * The hashed form of a receipt: a JSON array in a fixed field order, so the same receipt always hashes the same
 * whatever order an object's keys came in. Changing it breaks every existing chain; add a new format instead.
 */
function canonical(receipt: DecisionReceipt): string {
  return JSON.stringify(receiptFields(receipt));
}

/** A receipt's fields in the fixed order of the hash and of the table's columns. */
function receiptFields(receipt: DecisionReceipt): unknown[] {
  return [
    receipt.decisionId,
    receipt.workflowId,
    receipt.runId,
    receipt.decidedBy.id,
    receipt.decidedBy.name,
    receipt.decidedBy.method,
    receipt.reviewer,
    receipt.decidedAt,
    receipt.approved,
    receipt.comment,
    receipt.draftSha256,
    receipt.sourceSha256,
    receipt.requestId,
  ];
}

/** sha256(prevHash || "\n" || canonical receipt), hex. */
export function chainHash(prevHash: string, receipt: DecisionReceipt): string {
  return createHash('sha256')
    .update(`${prevHash}\n${canonical(receipt)}`, 'utf8')
    .digest('hex');
}

function fromRow(row: DecisionRow): DecisionReceipt {
  return {
    decisionId: row.decision_id,
    workflowId: row.workflow_id,
    runId: row.run_id,
    decidedBy: { id: row.caller_id, name: row.caller_name, method: row.auth_method as DecisionMethod },
    reviewer: row.reviewer,
    decidedAt: row.decided_at,
    approved: row.approved,
    comment: row.comment,
    draftSha256: row.draft_sha256,
    sourceSha256: row.source_sha256,
    requestId: row.request_id,
  };
}

const INSERT = `
  INSERT INTO research_decisions
    (decision_id, workflow_id, run_id, caller_id, caller_name, auth_method, reviewer, decided_at, approved, comment,
     draft_sha256, source_sha256, request_id, prev_hash, hash)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`;

async function appendIn(tx: SqlExecutor, receipt: DecisionReceipt): Promise<boolean> {
  // EXCLUSIVE blocks other writers (and their lock) until commit, but not readers.
  await tx.exec('LOCK TABLE research_decisions IN EXCLUSIVE MODE');
  const existing = await tx.query('SELECT 1 FROM research_decisions WHERE decision_id = $1', [receipt.decisionId]);
  if (existing.rows.length > 0) return false;
  const last = await tx.query<{ hash: string }>('SELECT hash FROM research_decisions ORDER BY seq DESC LIMIT 1');
  const prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
  await tx.query(INSERT, [...receiptFields(receipt), prevHash, chainHash(prevHash, receipt)]);
  return true;
}

/**
 * The decision log over an open, migrated database (see {@link openResultStore}, which shares its connection).
 * Used by the `recordDecision` activity and `npm run audit:verify`.
 */
export function decisionLog(db: Database): DecisionLog {
  return {
    append: (receipt) => db.transaction((tx) => appendIn(tx, receipt)),
    async list(workflowId) {
      const { rows } = await db.query<DecisionRow>(
        'SELECT * FROM research_decisions WHERE workflow_id = $1 ORDER BY seq',
        [workflowId],
      );
      return rows.map(fromRow);
    },
    async verify() {
      const { rows } = await db.query<DecisionRow>('SELECT * FROM research_decisions ORDER BY seq');
      let prevHash = GENESIS_HASH;
      for (const row of rows) {
        const at = { seq: Number(row.seq), decisionId: row.decision_id };
        if (row.prev_hash !== prevHash) {
          return {
            rows: rows.length,
            broken: {
              ...at,
              reason: 'its prev_hash is not the hash of the row before it (a row was deleted or edited)',
            },
          };
        }
        if (chainHash(prevHash, fromRow(row)) !== row.hash) {
          return {
            rows: rows.length,
            broken: { ...at, reason: 'its content does not match its hash (the row was edited)' },
          };
        }
        prevHash = row.hash;
      }
      return { rows: rows.length, broken: null };
    },
  };
}
