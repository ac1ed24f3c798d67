import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { openPglite } from '../src/database.js';
import { PGLITE_SHARED_BUFFERS } from '../src/pglite-options.js';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pglite-directory-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `SHOW shared_buffers` through either our Database or a bare PGlite. */
async function sharedBuffers(db: { query(text: string): Promise<{ rows: unknown[] }> }): Promise<unknown> {
  const { rows } = await db.query('SHOW shared_buffers');
  return (rows[0] as { shared_buffers?: unknown } | undefined)?.shared_buffers;
}

// PGlite only: these are about the embedded database's directory, whatever TEST_DATABASE_URL says.
describe('openPglite directories', () => {
  it('creates a new database in a child process, renamed into place, and keeps its rows across opens', async (t) => {
    const dataDir = join(await tempDir(t), 'results-db');
    const first = await openPglite(dataDir);
    try {
      await first.exec('CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$one$$)');
      assert.equal(await sharedBuffers(first), PGLITE_SHARED_BUFFERS);
    } finally {
      await first.close();
    }
    assert.deepEqual(
      (await readdir(join(dataDir, '..'))).filter((name) => name.startsWith('results-db')),
      ['results-db'],
    );
    const again = await openPglite(dataDir);
    try {
      assert.deepEqual((await again.query('SELECT v FROM kept')).rows, [{ v: 'one' }]);
    } finally {
      await again.close();
    }
  });

  it("opens a database made with PostgreSQL's default shared_buffers with the small one, rows intact", async (t) => {
    const dataDir = join(await tempDir(t), 'results-db');
    const legacy = await PGlite.create(dataDir);
    try {
      await legacy.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('old')");
      assert.equal(await sharedBuffers(legacy), '128MB');
    } finally {
      await legacy.close();
    }
    const db = await openPglite(dataDir);
    try {
      assert.equal(await sharedBuffers(db), PGLITE_SHARED_BUFFERS);
      assert.deepEqual((await db.query('SELECT v FROM kept')).rows, [{ v: 'old' }]);
    } finally {
      await db.close();
    }
  });

  it('replaces what a creation that crashed left beside the directory', async (t) => {
    const parent = await tempDir(t);
    const dataDir = join(parent, 'results-db');
    await mkdir(dataDir);
    await mkdir(`${dataDir}.creating`);
    await writeFile(join(`${dataDir}.creating`, 'PG_VERSION'), 'half');
    const db = await openPglite(dataDir);
    try {
      assert.deepEqual((await db.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
    } finally {
      await db.close();
    }
    assert.deepEqual(await readdir(parent), ['results-db']);
  });

  it('refuses a directory that holds files but no database, and leaves them alone', async (t) => {
    const dataDir = join(await tempDir(t), 'results-db');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'notes.txt'), 'mine');
    await assert.rejects(openPglite(dataDir), /is not empty but holds no PGlite database/);
    assert.deepEqual(await readdir(dataDir), ['notes.txt']);
    assert.equal(await readFile(join(dataDir, 'notes.txt'), 'utf8'), 'mine');
    // The lock was released: the directory can be opened once it is cleared.
    await rm(join(dataDir, 'notes.txt'));
    await (await openPglite(dataDir)).close();
  });
});
