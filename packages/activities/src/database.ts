import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { lockDirectory } from './directory-lock.js';

/** The few operations the result store and the migration runner need, over `pg` or PGlite alike. */
export interface SqlExecutor {
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  /** Runs one or more statements without parameters (migration scripts). */
  exec(text: string): Promise<void>;
}

export interface Database extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresOptions {
  /** Unqualified table names resolve in this schema (set as the connection's search_path). */
  schema?: string | undefined;
  maxConnections?: number | undefined;
}

export async function openPostgres(connectionString: string, options: PostgresOptions = {}): Promise<Database> {
  const { default: pg } = await import('pg');
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error(`Invalid schema name "${options.schema}": use lower-case letters, digits and underscores`);
  }
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 4,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle client losing its connection emits on the pool; without a listener that would crash the worker.
  // The pool discards the client and the next query opens a fresh connection.
  pool.on('error', () => {});
  const executor = (client: Pick<InstanceType<typeof pg.Pool>, 'query'>): SqlExecutor => ({
    async query<Row extends Record<string, unknown>>(text: string, params?: unknown[]) {
      const result = await client.query<Row>(text, params);
      return { rows: result.rows };
    },
    async exec(text) {
      await client.query(text);
    },
  });
  return {
    kind: 'postgres',
    ...executor(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Opens an embedded PostgreSQL (PGlite, WASM) stored in `dataDir`, or in memory when `dataDir` is undefined.
 * A directory is locked for this process until `close()`.
 * @throws {DirectoryLockedError} when another live process has `dataDir` open.
 */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  let lock: { release(): Promise<void> } | undefined;
  if (dataDir !== undefined) {
    await mkdir(dirname(dataDir), { recursive: true });
    lock = await lockDirectory(dataDir);
  }
  let db: InstanceType<typeof PGlite>;
  try {
    if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
    db = await PGlite.create(dataDir);
  } catch (error) {
    await lock?.release();
    throw error;
  }
  type Executor = Pick<typeof db, 'query' | 'exec'>;
  const executor = (target: Executor): SqlExecutor => ({
    async query<Row extends Record<string, unknown>>(text: string, params?: unknown[]) {
      const result = await target.query<Row>(text, params);
      return { rows: result.rows };
    },
    async exec(text) {
      await target.exec(text);
    },
  });
  return {
    kind: 'pglite',
    ...executor(db),
    transaction: (work) => db.transaction((tx) => work(executor(tx))),
    async close() {
      try {
        await db.close();
      } finally {
        await lock?.release();
      }
    },
  };
}
