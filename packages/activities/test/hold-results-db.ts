// Child process for directory-lock.test.ts: opens the embedded results database under the data directory given
// as its argument, says so, and holds it until killed or its stdin closes.
import { openResultStore } from '../src/result-store.js';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: hold-results-db.ts <dataDir>');
try {
  const store = await openResultStore({ dataDir });
  console.log('holding the results database');
  process.on('SIGTERM', () => {
    void store.close().then(() => process.exit(0));
  });
  setInterval(() => {}, 60_000);
} catch (error) {
  console.log(`open failed: ${(error as Error).name}: ${(error as Error).message}`);
  process.exit(3);
}
