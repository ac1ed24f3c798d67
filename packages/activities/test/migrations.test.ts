import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../src/database.js';
import { migrate, MIGRATIONS, type Migration } from '../src/migrations.js';
import { openResultStore } from '../src/result-store.js';

const databaseUrl = process.env.TEST_DATABASE_URL || undefined;

describe(`migrate (${databaseUrl ? 'PostgreSQL' : 'PGlite'})`, () => {
  const schema = `migrations_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const opened: Database[] = [];
  const open = async (): Promise<Database> => {
    const db = databaseUrl ? await openPostgres(databaseUrl, { schema }) : await openPglite(undefined);
    opened.push(db);
    return db;
  };
  after(async () => {
    for (const db of opened) await db.close();
    if (databaseUrl) {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
  const options = { createSchema: databaseUrl ? schema : undefined };

  it('applies each migration once when three runs start at once (three connections on PostgreSQL, one on PGlite)', async () => {
    const first = await open();
    const dbs = databaseUrl ? [first, await open(), await open()] : [first, first, first];
    const applied = await Promise.all(dbs.map((db) => migrate(db, MIGRATIONS, options)));
    assert.deepEqual(
      applied.flat(),
      MIGRATIONS.map((m) => m.version),
    );
    const { rows } = await first.query<{ count: number }>('SELECT count(*)::int AS count FROM schema_migrations');
    assert.equal(rows[0]?.count, MIGRATIONS.length);
  });

  it('applies only new migrations, in version order', async () => {
    const db = opened[0] ?? (await open());
    const added: Migration[] = [
      {
        version: 101,
        name: 'second',
        sql: 'CREATE TABLE migration_probe_b (id int); INSERT INTO migration_probe_b VALUES (2);',
      },
      { version: 100, name: 'first', sql: 'CREATE TABLE migration_probe_a (id int);' },
    ];
    assert.deepEqual(await migrate(db, [...MIGRATIONS, ...added], options), [100, 101]);
    assert.deepEqual(await migrate(db, [...MIGRATIONS, ...added], options), []);
  });

  it('leaves nothing behind when a migration fails', async () => {
    const db = opened[0] ?? (await open());
    const broken: Migration[] = [
      { version: 200, name: 'fine', sql: 'CREATE TABLE migration_probe_c (id int);' },
      { version: 201, name: 'broken', sql: 'CREATE TABLE nope (' },
    ];
    await assert.rejects(migrate(db, [...MIGRATIONS, ...broken], options));
    const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations WHERE version >= 200');
    assert.deepEqual(rows, []);
    await assert.rejects(db.query('SELECT * FROM migration_probe_c'));
  });
});

describe(`migration 2, run ids (${databaseUrl ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('keeps rows saved before run ids readable, and a new run of the same workflow id adds a row', async (t) => {
    const schema = `migrations_v2_${process.pid}_${randomBytes(4).toString('hex')}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'migrations-v2-'));
    t.after(async () => {
      await rm(dataDir, { recursive: true, force: true });
      if (databaseUrl) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    });
    const location = databaseUrl ? { databaseUrl, schema } : { dataDir };
    const legacy = databaseUrl
      ? await openPostgres(databaseUrl, { schema })
      : await openPglite(join(dataDir, 'results-db'));
    try {
      await migrate(legacy, MIGRATIONS.slice(0, 1), { createSchema: databaseUrl ? schema : undefined });
      await legacy.query(
        `INSERT INTO research_results (workflow_id, topic, source_url, summary, outcome, decided_at, usage)
         VALUES ('wf-legacy', 'old topic', 'https://example.com/', 'Old summary.', 'approved',
                 '2025-01-01T00:00:00Z', '{"promptTokens":1,"completionTokens":1,"totalTokens":2}')`,
      );
    } finally {
      await legacy.close();
    }

    const store = await openResultStore(location);
    t.after(() => store.close());
    const old = await store.get('wf-legacy');
    assert.ok(old);
    assert.equal(old.summary, 'Old summary.');
    assert.equal(old.runId, '');
    const later = {
      ...old,
      outcome: 'rejected' as const,
      summary: 'New summary.',
      decidedAt: '2025-06-01T00:00:00.000Z',
    };
    assert.equal(await store.save({ workflowId: 'wf-legacy', runId: 'run-new', result: later }), true);
    assert.equal(await store.count(), 2);
    assert.equal((await store.get('wf-legacy', ''))?.summary, 'Old summary.');
    assert.equal((await store.get('wf-legacy'))?.runId, 'run-new');
  });
});

describe(`migration 5, sources and points (${databaseUrl ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('keeps rows saved before it readable without the new fields, and saves and reads them on new rows', async (t) => {
    const schema = `migrations_v5_${process.pid}_${randomBytes(4).toString('hex')}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'migrations-v5-'));
    t.after(async () => {
      await rm(dataDir, { recursive: true, force: true });
      if (databaseUrl) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    });
    const location = databaseUrl ? { databaseUrl, schema } : { dataDir };
    const legacy = databaseUrl
      ? await openPostgres(databaseUrl, { schema })
      : await openPglite(join(dataDir, 'results-db'));
    try {
      await migrate(legacy, MIGRATIONS.slice(0, 4), { createSchema: databaseUrl ? schema : undefined });
      await legacy.query(
        `INSERT INTO research_results (workflow_id, run_id, topic, source_url, summary, outcome, decided_at, usage)
         VALUES ('wf-v4', 'run-1', 'old topic', 'https://example.com/', 'Old summary.', 'approved',
                 '2025-01-01T00:00:00Z', '{"promptTokens":1,"completionTokens":1,"totalTokens":2}')`,
      );
    } finally {
      await legacy.close();
    }

    const store = await openResultStore(location);
    t.after(() => store.close());
    const old = await store.get('wf-v4');
    assert.ok(old);
    assert.equal(old.summary, 'Old summary.');
    assert.deepEqual(
      ['sources', 'points', 'draftVersions', 'cost', 'edit'].filter((key) => key in old),
      [],
    );

    const { createdAt: _c, updatedAt: _u, workflowId: _w, runId: _r, ...result } = old;
    const sources = [
      { index: 1, url: 'https://a/', fetched: true, finalUrl: 'https://a/', title: null, sha256: null, failure: null },
      {
        index: 2,
        url: 'https://b/',
        fetched: false,
        finalUrl: null,
        title: null,
        sha256: null,
        failure: { type: 'SourceHttpClientError', message: 'Source answered 404 Not Found' },
      },
    ];
    const points = [{ text: 'A point.', citations: [{ source: 1, quote: 'a quote', verified: true }] }];
    const edit = { draftSha256: 'd'.repeat(64), editedSha256: 'e'.repeat(64), diff: '-a\n+b\n' };
    const cost = {
      totalUsd: 0.0012,
      budgetUsd: 1,
      calls: [{ step: 'writeDraft', model: 'm', usage: result.usage, usd: 0.0012 }],
    };
    await store.save({
      workflowId: 'wf-v5',
      runId: 'run-2',
      result: { ...result, sources, points, draftVersions: 2, cost, edit },
    });
    const saved = await store.get('wf-v5');
    assert.deepEqual(saved?.edit, edit);
    assert.deepEqual(saved?.cost, cost);
    assert.deepEqual(saved?.sources, sources);
    assert.deepEqual(saved?.points, points);
    assert.equal(saved?.draftVersions, 2);
  });
});
