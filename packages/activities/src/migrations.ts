import type { Database } from './database.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Applied in order of `version`, each at most once. Never edit an applied migration; add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create research_results',
    sql: `
      CREATE TABLE research_results (
        workflow_id text PRIMARY KEY,
        topic       text NOT NULL,
        source_url  text NOT NULL,
        summary     text NOT NULL,
        outcome     text NOT NULL CHECK (outcome IN ('approved', 'rejected', 'expired')),
        reviewer    text,
        comment     text,
        decided_at  timestamptz NOT NULL,
        usage       jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    // A later run with the same workflow id (an id reused after the first run closed) gets a row of its own
    // instead of replacing the earlier decision. Rows saved before this have run_id '' (run not recorded).
    version: 2,
    name: 'key research_results by (workflow_id, run_id)',
    sql: `
      ALTER TABLE research_results ADD COLUMN run_id text NOT NULL DEFAULT '';
      ALTER TABLE research_results ALTER COLUMN run_id DROP DEFAULT;
      ALTER TABLE research_results DROP CONSTRAINT research_results_pkey;
      ALTER TABLE research_results ADD PRIMARY KEY (workflow_id, run_id);`,
  },
  {
    // Append-only receipts of accepted decisions; each row's hash covers the previous row's hash (decision-log.ts).
    version: 3,
    name: 'create research_decisions',
    sql: `
      CREATE TABLE research_decisions (
        seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        decision_id    text NOT NULL UNIQUE,
        workflow_id    text NOT NULL,
        run_id         text NOT NULL,
        caller_id      text,
        caller_name    text,
        auth_method    text NOT NULL,
        reviewer       text,
        decided_at     text NOT NULL,
        approved       boolean NOT NULL,
        comment        text,
        draft_sha256   text,
        source_sha256  text,
        request_id     text,
        prev_hash      text NOT NULL,
        hash           text NOT NULL,
        recorded_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX research_decisions_workflow ON research_decisions (workflow_id, seq);`,
  },
  {
    version: 4,
    name: 'research_results outcome cancelled',
    sql: `
      ALTER TABLE research_results DROP CONSTRAINT research_results_outcome_check;
      ALTER TABLE research_results ADD CONSTRAINT research_results_outcome_check
        CHECK (outcome IN ('approved', 'rejected', 'expired', 'cancelled'));`,
  },
  {
    // Pipelines since `research-depth`: every source (fetched or why not), the decided draft's points with their
    // citations, how many draft versions there were, the LLM cost and the reviewer's edit (draft and edited
    // hashes, unified diff). Nullable, so rows saved before read back without them.
    version: 5,
    name: 'research_results sources, points, draft versions, cost, edit',
    sql: `
      ALTER TABLE research_results ADD COLUMN sources jsonb;
      ALTER TABLE research_results ADD COLUMN points jsonb;
      ALTER TABLE research_results ADD COLUMN draft_versions integer;
      ALTER TABLE research_results ADD COLUMN cost jsonb;
      ALTER TABLE research_results ADD COLUMN edit jsonb;`,
  },
];

/**
 * Brings the database up to date and returns the versions it applied. Runs in one transaction holding a
 * transaction-scoped advisory lock, so processes starting together apply each migration exactly once and a
 * failed migration leaves nothing behind.
 */
export async function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
  options: { createSchema?: string | undefined } = {},
): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('research-gateway:migrations'))`);
    if (options.createSchema !== undefined)
      await tx.exec(`CREATE SCHEMA IF NOT EXISTS "${options.createSchema.replaceAll('"', '""')}"`);
    await tx.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const pending = [...migrations].filter((m) => !applied.has(m.version)).sort((a, b) => a.version - b.version);
    for (const migration of pending) {
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    return pending.map((m) => m.version);
  });
}
