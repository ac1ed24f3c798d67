#!/usr/bin/env node
// Runs the stack in one foreground command: the embedded Temporal server (unless TEMPORAL_ADDRESS points at one),
// the worker and the API, each a child process with its output prefixed.
// Usage: node scripts/start.mjs [temporal|worker|api]
// Reads `.env` at the repository root when there is one.
//
// Ctrl-C / SIGTERM / SIGHUP stops the API and the worker first (the worker finishes or hands back its activities),
// then the server; a child still running after STOP_GRACE_MS is killed. If a child exits on its own, the others are
// stopped and this command exits non-zero. If this command is killed outright, each child notices through its IPC
// channel (scripts/exit-with-launcher.mjs) and stops by itself.
//
// Children run from TypeScript sources (`--conditions=source --import tsx`) unless NODE_ENV=production or tsx is
// not installed, in which case they run from the compiled `dist/` of `npm run build`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { launcherSettings } from './launcher-settings.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const SERVICES = {
  temporal: {
    source: 'packages/embedded-temporal/src/cli.ts',
    dist: 'packages/embedded-temporal/dist/cli.bundle.mjs',
    color: 35,
  },
  worker: { source: 'apps/worker/src/main.ts', dist: 'apps/worker/dist/main.js', color: 36 },
  api: { source: 'apps/api/src/server.ts', dist: 'apps/api/dist/server.js', color: 33 },
  bundle: { source: 'apps/worker/src/build-bundle.ts', dist: 'apps/worker/dist/build-bundle.js', color: 36 },
};
/** Run to completion before the worker starts, not a service of its own. */
const STEPS = new Set(['bundle']);

const SERVER_READY_TIMEOUT_MS = 30_000;

function usage(message) {
  console.error(
    `${message}\nusage: node scripts/start.mjs [${Object.keys(SERVICES)
      .filter((name) => !STEPS.has(name))
      .join('|')}]`,
  );
  process.exit(2);
}

function tsxAvailable() {
  try {
    createRequire(join(root, 'package.json')).resolve('tsx');
    return true;
  } catch {
    return false;
  }
}

const fromSource = process.env.NODE_ENV !== 'production' && tsxAvailable();

function commandFor(name, extraArgs) {
  const service = SERVICES[name];
  const entry = join(root, fromSource ? service.source : service.dist);
  if (!existsSync(entry)) {
    throw new Error(`${name}: ${entry} does not exist${fromSource ? '' : ' (run `npm run build` first)'}`);
  }
  const nodeArgs = fromSource ? ['--conditions=source', '--import', 'tsx'] : [];
  const exitWithLauncher = join(root, 'scripts/exit-with-launcher.mjs');
  return [...nodeArgs, '--import', exitWithLauncher, entry, ...extraArgs];
}

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const width = Math.max(...Object.keys(SERVICES).map((name) => name.length));

function pipeWithPrefix(stream, name, target) {
  const label = name.padEnd(width);
  const prefix = useColor ? `\x1b[${SERVICES[name].color}m${label} |\x1b[0m ` : `${label} | `;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => target.write(`${prefix}${line}\n`));
}

/** A running child: `exited` settles with { code, signal } once it is gone. */
function startChild(name, args, env) {
  // Own process group: Ctrl-C reaches only this script, which then stops the children in order. The IPC channel is
  // how a child learns that this script is gone (scripts/exit-with-launcher.mjs).
  const child = spawn(process.execPath, args, {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  pipeWithPrefix(child.stdout, name, process.stdout);
  pipeWithPrefix(child.stderr, name, process.stderr);
  const exited = new Promise((resolveExit) => {
    child.on('exit', (code, signal) => resolveExit({ code, signal }));
    child.on('error', (error) => {
      console.error(`${name}: ${error.message}`);
      resolveExit({ code: 1, signal: null });
    });
  });
  return { name, child, exited, running: true };
}

/** Sends SIGTERM, waits up to STOP_GRACE_MS, then SIGKILL. Resolves true when the child stopped by itself. */
async function stopChild(entry) {
  if (!entry.running) return true;
  entry.child.kill('SIGTERM');
  const timer = delay(settings.stopGraceMs, 'timeout', { ref: false });
  if ((await Promise.race([entry.exited, timer])) !== 'timeout') return true;
  console.error(`${entry.name} did not stop within ${settings.stopGraceMs}ms; killing it`);
  entry.child.kill('SIGKILL');
  await entry.exited;
  return false;
}

/** Polls a TCP connection to the server's port until it accepts, or the deadline passes. */
async function waitForPort(port, exited) {
  const deadline = Date.now() + SERVER_READY_TIMEOUT_MS;
  let gone = false;
  exited.then(() => (gone = true));
  while (!gone && Date.now() < deadline) {
    const open = await new Promise((resolveOpen) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.end();
        resolveOpen(true);
      });
      socket.once('error', () => {
        socket.destroy();
        resolveOpen(false);
      });
    });
    if (open) return true;
    await delay(100);
  }
  return false;
}

const only = process.argv[2];
if (process.argv.length > 3) usage('too many arguments');
if (only !== undefined && (!(only in SERVICES) || STEPS.has(only))) usage(`unknown service "${only}"`);

// Settings from `.env` (see .env.example); variables already set in the environment win.
const dotEnv = join(root, '.env');
if (existsSync(dotEnv)) process.loadEnvFile(dotEnv);

let settings;
try {
  settings = launcherSettings(process.env, root);
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
const { temporalPort, temporalDataDir } = settings;
// Children read STOP_GRACE_MS as their deadline once this script is gone (scripts/exit-with-launcher.mjs).
const env = { ...process.env, STOP_GRACE_MS: String(settings.stopGraceMs) };
const runServer = only === 'temporal' || (only === undefined && !settings.temporalAddress);
if (runServer && !settings.temporalAddress) env.TEMPORAL_ADDRESS = `127.0.0.1:${temporalPort}`;

const children = [];
let stopping = false;
let exitCode = 0;

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  // Worker and API first, so the worker can still report to the server while it drains; the server last.
  const clients = children.filter((entry) => entry.name !== 'temporal');
  const clean = await Promise.all(clients.map(stopChild));
  const server = children.find((entry) => entry.name === 'temporal');
  if (server) clean.push(await stopChild(server));
  process.exit(clean.every(Boolean) ? exitCode : exitCode || 1);
}

function watch(entry) {
  entry.exited.then(({ code, signal }) => {
    entry.running = false;
    if (stopping || entry.stopsByItself) return;
    console.error(`${entry.name} exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`}); stopping`);
    void stopAll(code || 1);
  });
}

// After SIGHUP the terminal is gone and writing to it fails (EIO, EPIPE); that must not cut the orderly stop short.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (stopping) return;
    console.error(
      `${signal} received; stopping ${children
        .filter((entry) => entry.running)
        .map((entry) => entry.name)
        .join(', ')}`,
    );
    void stopAll(0);
  });
}
// Last resort when this script itself dies: do not leave the process groups running.
process.on('exit', () => {
  for (const entry of children) if (entry.running) entry.child.kill('SIGKILL');
});

function launch(name, extraArgs = []) {
  let args;
  try {
    args = commandFor(name, extraArgs);
  } catch (error) {
    console.error(error.message);
    void stopAll(1);
    return undefined;
  }
  const entry = startChild(name, args, env);
  children.push(entry);
  watch(entry);
  return entry;
}

console.error(
  `starting ${only ?? (runServer ? 'temporal, worker, api' : 'worker, api')} from ${fromSource ? 'sources' : 'dist'}`,
);
/**
 * Builds the workflow bundle in a child process that exits when done, so the worker loads it instead of running
 * webpack itself: webpack's heap stays with the process that ran it (a worker bundling in-process held ~700 MB
 * after start-up, one loading a bundle ~200 MB; README "Performance").
 */
async function buildBundle() {
  const entry = launch('bundle', [settings.workflowBundlePath]);
  if (!entry) return;
  entry.stopsByItself = true;
  const { code, signal } = await entry.exited;
  if (code !== 0 && !stopping) {
    console.error(`building the workflow bundle failed (${signal ?? `exit ${code}`}); stopping`);
    void stopAll(1);
  }
}

const runWorker = only === undefined || only === 'worker';
if (runWorker) env.WORKFLOW_BUNDLE_PATH = settings.workflowBundlePath;
// Alongside the server's start-up: both take a few seconds.
const bundled = runWorker && settings.buildWorkflowBundle ? buildBundle() : Promise.resolve();
if (runServer) {
  const server = launch('temporal', ['--port', String(temporalPort), '--data-dir', temporalDataDir]);
  // The worker retries its connection anyway; waiting keeps the start-up log free of retry noise.
  if (server && only === undefined && !(await waitForPort(temporalPort, server.exited)) && !stopping) {
    console.error(
      `temporal did not open port ${temporalPort} within ${SERVER_READY_TIMEOUT_MS}ms; starting the others anyway`,
    );
  }
} else if (only === undefined) {
  console.error(`using the Temporal server at ${env.TEMPORAL_ADDRESS}`);
}
await bundled;
if (!stopping && runWorker) launch('worker');
if (!stopping && (only === undefined || only === 'api')) launch('api');
