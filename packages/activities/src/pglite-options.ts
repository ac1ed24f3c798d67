// PostgreSQL's default shared_buffers (128 MB, which PGlite's initdb writes into postgresql.conf) lives in the WASM
// heap, which never shrinks: it is zeroed at start-up (145 MB of shared memory in all) and so resident for the
// process's life. The results database is written a few times per pipeline and read by key, so a small cache does;
// a page that is not in it comes from the operating system's page cache. The start parameter overrides the value
// in the data directory's postgresql.conf, so existing databases get it too.
export const PGLITE_SHARED_BUFFERS = '16MB';

/** Start parameters of every embedded database: PGlite's own defaults (single user, no parallel workers) plus ours. */
export function pgliteStartParams(defaultStartParams: readonly string[]): string[] {
  return [...defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`];
}
