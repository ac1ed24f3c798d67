import { join } from 'node:path';
import type { ResearchResult, Usage } from '@research/contracts';
import { openPglite, openPostgres, type Database } from './database.js';
import { migrate } from './migrations.js';

/** A persisted result with its bookkeeping columns. */
export interface StoredResult extends ResearchResult {
  workflowId: string;
  createdAt: string;
  updatedAt: string;
}

/** Where pipeline results are kept. `saveResult` writes through it; tests and the e2e suite read rows back. */
export interface ResultStore {
  readonly kind: 'postgres' | 'pglite';
  /** Inserts or replaces the row of `workflowId`; repeating the call leaves exactly one row. */
  upsert(workflowId: string, result: ResearchResult): Promise<void>;
  get(workflowId: string): Promise<StoredResult | null>;
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
  topic: string;
  source_url: string;
  summary: string;
  outcome: ResearchResult['outcome'];
  reviewer: string | null;
  comment: string | null;
  decided_at: Date;
  usage: Usage;
  created_at: Date;
  updated_at: Date;
}

const UPSERT = `
  INSERT INTO research_results
    (workflow_id, topic, source_url, summary, outcome, reviewer, comment, decided_at, usage)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
  ON CONFLICT (workflow_id) DO UPDATE SET
    topic = EXCLUDED.topic,
    source_url = EXCLUDED.source_url,
    summary = EXCLUDED.summary,
    outcome = EXCLUDED.outcome,
    reviewer = EXCLUDED.reviewer,
    comment = EXCLUDED.comment,
    decided_at = EXCLUDED.decided_at,
    usage = EXCLUDED.usage,
    updated_at = now()`;

function fromRow(row: ResultRow): StoredResult {
  return {
    workflowId: row.workflow_id,
    outcome: row.outcome,
    summary: row.summary,
    topic: row.topic,
    sourceUrl: row.source_url,
    reviewer: row.reviewer,
    comment: row.comment,
    decidedAt: new Date(row.decided_at).toISOString(),
    usage: row.usage,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function resultStore(db: Database): ResultStore {
  return {
    kind: db.kind,
    async upsert(workflowId, result) {
      await db.query(UPSERT, [
        workflowId,
        result.topic,
        result.sourceUrl,
        result.summary,
        result.outcome,
        result.reviewer,
        result.comment,
        result.decidedAt,
        JSON.stringify(result.usage),
      ]);
    },
    async get(workflowId) {
      const { rows } = await db.query<ResultRow>('SELECT * FROM research_results WHERE workflow_id = $1', [workflowId]);
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
