import { join } from 'node:path';
import type { Cost, DraftPoint, ResearchResult, SourceOutcome, SummaryEdit, Usage } from '@research/contracts';
import { openPglite, openPostgres, type Database } from './database.js';
import { decisionLog, type DecisionLog } from './decision-log.js';
import { migrate } from './migrations.js';

/** A persisted result with its bookkeeping columns. */
export interface StoredResult extends ResearchResult {
  workflowId: string;
  /** The run that saved it; '' for rows saved before run ids were recorded. */
  runId: string;
  createdAt: string;
  updatedAt: string;
}

/** What `saveResult` stores: one run's decision. */
export interface ResultToSave {
  workflowId: string;
  runId: string;
  result: ResearchResult;
}

/** Where pipeline results are kept. `saveResult` writes through it; tests and the e2e suite read rows back. */
export interface ResultStore {
  readonly kind: 'postgres' | 'pglite';
  /** The hash-chained decision receipts, in the same database. */
  readonly decisions: DecisionLog;
  /**
   * Stores one run's result, keyed by (workflowId, runId). Never overwrites a decision: repeating the call for the
   * same run (an activity retry) only touches `updatedAt` and resolves false; another run with the same workflow id
   * adds a row of its own.
   * @returns whether a new row was inserted.
   */
  save(entry: ResultToSave): Promise<boolean>;
  /** The row of that run, or without `runId` the latest decision saved under `workflowId`. */
  get(workflowId: string, runId?: string): Promise<StoredResult | null>;
  count(): Promise<number>;
  close(): Promise<void>;
}

export interface ResultStoreOptions {
  /** PostgreSQL connection string. When set, PostgreSQL is used and `dataDir` is ignored. */
  databaseUrl?: string | undefined;
  /** PGlite keeps its files in `<dataDir>/results-db`; without `dataDir` (and `databaseUrl`) it lives in memory. */
  dataDir?: string | undefined;
  /** PostgreSQL only: keep the tables in this schema, created if missing (tests use a throwaway schema). */
  schema?: string | undefined;
}

interface ResultRow extends Record<string, unknown> {
  workflow_id: string;
  run_id: string;
  topic: string;
  source_url: string;
  summary: string;
  outcome: ResearchResult['outcome'];
  reviewer: string | null;
  comment: string | null;
  decided_at: Date;
  usage: Usage;
  /** Null on rows saved before migration 5 and for pipelines started before `research-depth`. */
  sources: SourceOutcome[] | null;
  points: DraftPoint[] | null;
  draft_versions: number | null;
  cost: Cost | null;
  edit: SummaryEdit | null;
  created_at: Date;
  updated_at: Date;
}

// A run's decision is fixed once made (the activity input comes from the workflow history), so a second write for the
// same run only records that it happened (updated_at); the decision columns are never written twice.
const INSERT = `
  INSERT INTO research_results
    (workflow_id, run_id, topic, source_url, summary, outcome, reviewer, comment, decided_at, usage,
     sources, points, draft_versions, cost, edit)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12::jsonb, $13, $14::jsonb, $15::jsonb)
  ON CONFLICT (workflow_id, run_id) DO UPDATE SET updated_at = now()
  RETURNING (xmax = 0) AS inserted`;

const SELECT_RUN = 'SELECT * FROM research_results WHERE workflow_id = $1 AND run_id = $2';
const SELECT_LATEST =
  'SELECT * FROM research_results WHERE workflow_id = $1 ORDER BY decided_at DESC, created_at DESC LIMIT 1';

function fromRow(row: ResultRow): StoredResult {
  return {
    workflowId: row.workflow_id,
    runId: row.run_id,
    outcome: row.outcome,
    summary: row.summary,
    topic: row.topic,
    sourceUrl: row.source_url,
    reviewer: row.reviewer,
    comment: row.comment,
    decidedAt: new Date(row.decided_at).toISOString(),
    usage: row.usage,
    ...(row.sources === null ? {} : { sources: row.sources }),
    ...(row.points === null ? {} : { points: row.points }),
    ...(row.draft_versions === null ? {} : { draftVersions: row.draft_versions }),
    ...(row.cost === null ? {} : { cost: row.cost }),
    ...(row.edit === null ? {} : { edit: row.edit }),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function resultStore(db: Database): ResultStore {
  return {
    kind: db.kind,
    decisions: decisionLog(db),
    async save({ workflowId, runId, result }) {
      const { rows } = await db.query<{ inserted: boolean }>(INSERT, [
        workflowId,
        runId,
        result.topic,
        result.sourceUrl,
        result.summary,
        result.outcome,
        result.reviewer,
        result.comment,
        result.decidedAt,
        JSON.stringify(result.usage),
        result.sources === undefined ? null : JSON.stringify(result.sources),
        result.points === undefined ? null : JSON.stringify(result.points),
        result.draftVersions ?? null,
        result.cost === undefined ? null : JSON.stringify(result.cost),
        result.edit === undefined ? null : JSON.stringify(result.edit),
      ]);
      return rows[0]?.inserted === true;
    },
    async get(workflowId, runId) {
      const { rows } =
        runId === undefined
          ? await db.query<ResultRow>(SELECT_LATEST, [workflowId])
          : await db.query<ResultRow>(SELECT_RUN, [workflowId, runId]);
      return rows[0] === undefined ? null : fromRow(rows[0]);
    },
    async count() {
      const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM research_results');
      return rows[0]?.count ?? 0;
    },
    close: () => db.close(),
  };
}

/**
 * Opens the result store and applies pending migrations: PostgreSQL when `databaseUrl` is set, otherwise an
 * embedded PGlite database under `dataDir`. Safe to call from several processes at once against PostgreSQL;
 * a PGlite directory must only be opened by one process at a time.
 * @throws when the database cannot be reached or a migration fails (nothing is left half-applied).
 */
export async function openResultStore(options: ResultStoreOptions): Promise<ResultStore> {
  const db =
    options.databaseUrl !== undefined
      ? await openPostgres(options.databaseUrl, { schema: options.schema })
      : await openPglite(options.dataDir === undefined ? undefined : join(options.dataDir, 'results-db'));
  try {
    await migrate(db, undefined, { createSchema: db.kind === 'postgres' ? options.schema : undefined });
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return resultStore(db);
}
