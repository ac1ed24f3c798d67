// `npm run audit:verify`: checks the hash chain of research_decisions in the database the worker uses (DATABASE_URL
// and DATABASE_SCHEMA, else PGlite under DATA_DIR, which the worker must not hold open). Exit 0: the chain holds;
// 1: it is broken (the first broken row is named); 2: the database could not be opened or the settings are invalid.
import { loadActivitiesConfig, openResultStore } from '../src/index.js';

async function main(): Promise<number> {
  let store;
  try {
    store = await openResultStore(loadActivitiesConfig().storage);
  } catch (error) {
    console.error(
      `audit:verify: cannot open the results database: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 2;
  }
  try {
    const { rows, broken } = await store.decisions.verify();
    if (broken === null) {
      console.log(`audit:verify: OK, ${rows} decision receipt(s), the chain is intact (${store.kind}).`);
      return 0;
    }
    console.error(
      `audit:verify: BROKEN at row seq=${broken.seq} decision_id=${broken.decisionId}: ${broken.reason} ` +
        `(${rows} row(s) checked).`,
    );
    return 1;
  } finally {
    await store.close();
  }
}

process.exitCode = await main();
