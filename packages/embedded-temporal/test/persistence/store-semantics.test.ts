import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { createMemoryStore, openFileStore, type DurableStore } from '../../src/persistence/index.js';
import { bytes, tempDir, text } from './helpers.js';

/** Each kind of store, with a way to see its state as a fresh start-up would. */
const kinds: Array<[string, (t: TestContext) => Promise<{ store: DurableStore; reload(): Promise<DurableStore> }>]> = [
  [
    'file store',
    async (t) => {
      const dir = await tempDir(t);
      let store: DurableStore = await openFileStore(dir);
      t.after(() => store.close());
      return {
        store,
        async reload() {
          await store.close();
          store = await openFileStore(dir);
          return store;
        },
      };
    },
  ],
  [
    'memory store',
    async () => {
      const store = createMemoryStore();
      return { store, reload: async () => store };
    },
  ],
];

for (const [name, make] of kinds) {
  describe(name, () => {
    test('returns committed values and log entries after a restart', async (t) => {
      const { store, reload } = await make(t);
      assert.deepEqual(await store.load(), { values: new Map(), logs: new Map() });
      await store.commit({
        put: [
          ['a', { n: 1, list: [1, 'two'] }],
          ['b', 'text'],
        ],
        append: [['h1', [bytes('e1')]]],
      });
      await store.commit({
        put: [['a', { n: 2 }]],
        append: [
          ['h1', [bytes('e2'), bytes('e3')]],
          ['h2', [bytes('x')]],
        ],
      });
      const state = await (await reload()).load();
      assert.deepEqual(
        state.values,
        new Map<string, unknown>([
          ['a', { n: 2 }],
          ['b', 'text'],
        ]),
      );
      assert.deepEqual(state.logs.get('h1')?.map(text), ['e1', 'e2', 'e3']);
      assert.deepEqual(state.logs.get('h2')?.map(text), ['x']);
    });

    test('deletes a key when its value is null', async (t) => {
      const { store, reload } = await make(t);
      await store.commit({
        put: [
          ['a', 1],
          ['b', 2],
        ],
      });
      await store.commit({ put: [['a', null]] });
      const state = await (await reload()).load();
      assert.deepEqual([...state.values], [['b', 2]]);
    });

    test('drops logs entirely, and drop plus append in one transaction replaces a log', async (t) => {
      const { store, reload } = await make(t);
      await store.commit({
        append: [
          ['gone', [bytes('1')]],
          ['replaced', [bytes('old')]],
        ],
      });
      await store.commit({ dropLogs: ['gone', 'replaced', 'never-existed'], append: [['replaced', [bytes('new')]]] });
      const state = await (await reload()).load();
      assert.equal(state.logs.has('gone'), false);
      assert.deepEqual(state.logs.get('replaced')?.map(text), ['new']);
    });

    test('does not create a log for an empty append', async (t) => {
      const { store, reload } = await make(t);
      await store.commit({ append: [['empty', []]] });
      assert.equal((await (await reload()).load()).logs.has('empty'), false);
    });

    test('rejects a value JSON cannot represent without affecting concurrent commits', async (t) => {
      const { store, reload } = await make(t);
      const results = await Promise.allSettled([
        store.commit({ put: [['ok1', 1]] }),
        store.commit({ put: [['bad', undefined]] }),
        store.commit({ put: [['big', 10n]] }),
        store.commit({ put: [['ok2', 2]] }),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
      );
      assert.deepEqual([...(await (await reload()).load()).values.keys()].sort(), ['ok1', 'ok2']);
    });

    test('stores values as JSON, so a Date comes back as its ISO string', async (t) => {
      const { store, reload } = await make(t);
      await store.commit({ put: [['d', { at: new Date('2024-05-01T00:00:00Z') }]] });
      assert.deepEqual((await (await reload()).load()).values.get('d'), { at: '2024-05-01T00:00:00.000Z' });
    });

    test('is not affected by the caller reusing an appended buffer', async (t) => {
      const { store, reload } = await make(t);
      const buf = bytes('abc');
      await store.commit({ append: [['log', [buf]]] });
      buf.fill(0);
      assert.deepEqual((await (await reload()).load()).logs.get('log')?.map(text), ['abc']);
    });

    test('rejects commits after close', async (t) => {
      const { store } = await make(t);
      await store.close();
      await assert.rejects(store.commit({ put: [['a', 1]] }), { name: 'StoreClosedError' });
      await store.close();
    });
  });
}
