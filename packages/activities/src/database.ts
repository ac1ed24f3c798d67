import { execFile } from 'node:child_process';
import { access, mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { lockDirectory } from './directory-lock.js';
import { pgliteStartParams } from './pglite-options.js';

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

// The child that creates a database sits beside this module: .ts when run from sources by tsx, .js in dist/.
const CREATE_SCRIPT = fileURLToPath(
  new URL(`./pglite-create${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/** The options of this process's command line the child needs to load the same code (tsx, export conditions). */
function loaderArgs(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  const takesValue = new Set([
    '--conditions',
    '-C',
    '--import',
    '--require',
    '-r',
    '--loader',
    '--experimental-loader',
  ]);
  for (let i = 0; i < execArgv.length; i += 1) {
    const arg = execArgv[i]!;
    const name = arg.split('=', 1)[0]!;
    if (!takesValue.has(name)) continue;
    kept.push(arg);
    if (!arg.includes('=') && i + 1 < execArgv.length) kept.push(execArgv[(i += 1)]!);
  }
  return kept;
}

const hasCode = (error: unknown, code: string): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;

/**
 * Creates the database `dataDir` (empty or missing) in a short-lived child process (see pglite-create.ts), in a
 * sibling directory renamed into place once complete, so a crash part-way leaves no half-made database behind.
 * Call with the directory's lock held.
 */
async function createPgliteDirectory(dataDir: string): Promise<void> {
  const entries = await readdir(dataDir).catch((error: unknown) => {
    if (hasCode(error, 'ENOENT')) return [];
    throw error;
  });
  if (entries.length > 0) {
    throw new Error(
      `${dataDir} is not empty but holds no PGlite database (no PG_VERSION): move it away or remove it, and a new ` +
        'database is created there at the next start',
    );
  }
  const staging = `${dataDir}.creating`;
  await rm(staging, { recursive: true, force: true });
  try {
    await promisify(execFile)(process.execPath, [...loaderArgs(process.execArgv), CREATE_SCRIPT, staging], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(
      `Creating the embedded database in ${dataDir} failed${typeof stderr === 'string' ? `: ${stderr.trim()}` : ''}`,
      { cause: error },
    );
  }
  await rmdir(dataDir).catch((error: unknown) => {
    if (!hasCode(error, 'ENOENT')) throw error;
  });
  await rename(staging, dataDir);
}

/**
 * Opens an embedded PostgreSQL (PGlite, WASM) stored in `dataDir`, or in memory when `dataDir` is undefined.
 * A directory is locked for this process until `close()`; a new one is created in a child process first.
 * Resident memory: ~150-200 MB more than the process had before, bounded by the small `shared_buffers`
 * (pglite-options.ts) rather than by how much the database holds.
 * @throws {DirectoryLockedError} when another live process has `dataDir` open.
 * @throws when `dataDir` is neither a database nor empty, or creating the database fails.
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
    if (dataDir !== undefined) {
      const exists = await access(join(dataDir, 'PG_VERSION')).then(
        () => true,
        () => false,
      );
      if (!exists) await createPgliteDirectory(dataDir);
    }
    db = await PGlite.create(dataDir, { startParams: pgliteStartParams(PGlite.defaultStartParams) });
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
