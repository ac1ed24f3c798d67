import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openFileStore } from '../../src/persistence/index.js';
import { startChild } from './child-process.js';
import { tempDir, text } from './helpers.js';

test('every commit acknowledged before SIGKILL survives, across repeated crashes and compactions', async (t) => {
  const dir = await tempDir(t);
  const acked = new Set<number>();
  for (let round = 0; round < 4; round++) {
    // A small threshold makes rotations and background compactions happen while the child is killed.
    const child = startChild(t, ['commit', dir, String(round * 1_000_000), '16', String(32 * 1024)]);
    const target = 300 + round * 97;
    await child.waitFor((lines) => lines.filter((l) => l.startsWith('ack ')).length >= target);
    await child.kill('SIGKILL');
    for (const line of child.lines) if (line.startsWith('ack ')) acked.add(Number(line.slice(4)));

    const store = await openFileStore(dir, { onWarning: () => undefined });
    const state = await store.load();
    await store.close();
    const missing = [...acked].filter((id) => !state.values.has(`wf/${id}`));
    assert.deepEqual(missing, [], `round ${round}: acknowledged but lost`);
    for (const [key, entries] of state.logs) {
      const ids = entries.map((e) => Number(text(e)));
      // Ids are assigned in commit order, so each log must be strictly ascending with no damaged entry.
      assert.ok(
        ids.every((id, i) => Number.isInteger(id) && (i === 0 || id > ids[i - 1]!)),
        `${key} out of order or damaged`,
      );
    }
    for (const id of acked) {
      const log = state.logs.get(`log/${id % 7}`)?.map((e) => Number(text(e)));
      assert.ok(log?.includes(id), `log entry for acknowledged commit ${id} lost`);
    }
  }
  assert.ok(acked.size >= 1500);
});
