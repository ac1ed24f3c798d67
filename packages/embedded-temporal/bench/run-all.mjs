// `npm run bench`: every benchmark of this package in turn, each in its own process. Arguments after `--` go to
// the throughput bench (e.g. `npm run bench -w @research/embedded-temporal -- --n 1000 --driver protocol`); the
// store bench runs with its defaults.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = [
  ['throughput.bench.ts', process.argv.slice(2), ['--expose-gc']],
  ['store.bench.ts', [], []],
];
for (const [file, args, nodeArgs] of benches) {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const { status, signal } = spawnSync(
    process.execPath,
    [...nodeArgs, '--conditions=source', '--import', 'tsx', path, ...args],
    { stdio: 'inherit' },
  );
  if (status !== 0) {
    console.error(`${file} failed (${signal ?? `exit ${status}`})`);
    process.exit(status || 1);
  }
}
