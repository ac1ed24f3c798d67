// Child process of `openPglite`: creates a PGlite database (runs initdb) in the directory given as argument and
// exits. initdb runs a second PostgreSQL in a WASM heap of its own and copies that heap and the new directory
// around in memory: ~600 MB at its peak, of which the allocator keeps ~150 MB after everything is freed. Here it
// all goes back to the operating system when the process exits, instead of staying with the worker.
import { PGlite } from '@electric-sql/pglite';
import { pgliteStartParams } from './pglite-options.js';

const directory = process.argv[2];
if (directory === undefined) throw new Error('usage: pglite-create <directory>');
const db = await PGlite.create(directory, { startParams: pgliteStartParams(PGlite.defaultStartParams) });
await db.close();
