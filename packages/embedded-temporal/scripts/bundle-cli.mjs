// Bundles the CLI and its dependencies into one file, `dist/cli.bundle.mjs`: resolving and compiling some two
// hundred modules one by one was a quarter of the CLI's start-up (median 439 → 364 ms spawn → ready here).
// Run by `npm run build`; `node packages/embedded-temporal/dist/cli.bundle.mjs` is the production entry point.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const pkg = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

async function bundleCli(outfile = pkg('dist/cli.bundle.mjs')) {
  await build({
    entryPoints: [pkg('src/cli.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    conditions: ['source'],
    sourcemap: 'linked',
    // The bundled CommonJS dependencies (grpc-js, protobufjs, @temporalio/proto) call require() for node builtins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return outfile;
}

// `node scripts/bundle-cli.mjs [outfile]`
if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli(process.argv[2]);
