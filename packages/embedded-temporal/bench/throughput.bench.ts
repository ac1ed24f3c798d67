// End-to-end throughput benchmark of the embedded Temporal server, run against the real SDK.
//
//   npm run bench -w @research/embedded-temporal [-- --n 500 --warmup 50 --modes durable,memory
//                                                  --signal after-activities|after-start --profile DIR]
//
// Env equivalents: BENCH_N, BENCH_WARMUP, BENCH_MODES, BENCH_SIGNAL, BENCH_PROFILE, BENCH_TIMEOUT_S.
//
// What it does, per server mode (durable = fresh temp data dir, memory = `--in-memory`):
//  1. Spawns the server as a child process through the CLI (`node --conditions=source --import tsx src/cli.ts
//     --port 0 --host 127.0.0.1 ...`), so its RSS and CPU are measured apart from this process, which runs the
//     client and the worker. Start-up = spawn → `ready` line, and spawn → first successful GetSystemInfo.
//  2. One NativeConnection + Worker (benchWorkflow from ./workflows.ts, bundled once up front) on a fresh
//     task queue; a warm-up batch, then N workflows started concurrently with `@temporalio/client`.
//  3. Each workflow runs three sequential trivial activities, then waits on `condition()` for the `go` signal.
//     Signal mode `after-activities` (default): the third activity, when it returns, makes the driver send
//     the signal — so the signal arrives as its own event, around the time the workflow reaches its wait
//     (exercises SignalWorkflowExecution plus the signal-while-task-in-flight / new-workflow-task paths).
//     `after-start`: signal right after `start()` resolves (the signal is buffered until the workflow reads it).
//  4. Throughput = N / (first start() call → last result()). Server RSS (VmRSS) sampled every 50 ms.
// Before that it also measures the in-process `startEmbeddedTemporal` time (imported into this process,
// in-memory and with an empty data dir) so the node+tsx compile cost of the CLI number can be told apart.
//
// Exit code is non-zero only on errors; missed targets are printed as MISS.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { benchWorkflow, goSignal, type BenchActivities } from './workflows.js';

// ---------------------------------------------------------------------------------------------- options

const { values: argv } = parseArgs({
  options: {
    n: { type: 'string' },
    warmup: { type: 'string' },
    modes: { type: 'string' },
    signal: { type: 'string' },
    profile: { type: 'string' },
    timeout: { type: 'string' },
  },
});

function intOpt(name: string, raw: string | undefined, def: number): number {
  if (raw === undefined || raw === '') return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new Error(`invalid --${name}: ${raw}`);
  return v;
}

const N = intOpt('n', argv.n ?? process.env.BENCH_N, 500);
const WARMUP = intOpt('warmup', argv.warmup ?? process.env.BENCH_WARMUP, 50);
const TIMEOUT_MS = intOpt('timeout', argv.timeout ?? process.env.BENCH_TIMEOUT_S, 300) * 1000;
const MODES = (argv.modes ?? process.env.BENCH_MODES ?? 'durable,memory').split(',').map((m) => m.trim()).filter(Boolean);
for (const m of MODES) if (m !== 'durable' && m !== 'memory') throw new Error(`invalid mode ${m} (durable|memory)`);
const SIGNAL_MODE = argv.signal ?? process.env.BENCH_SIGNAL ?? 'after-activities';
if (SIGNAL_MODE !== 'after-activities' && SIGNAL_MODE !== 'after-start') throw new Error(`invalid --signal ${SIGNAL_MODE}`);
const PROFILE_DIR = argv.profile ?? process.env.BENCH_PROFILE;

const TARGET_STARTUP_MS = 500;
const TARGET_WFPS = 100;
const WORKER_OPTIONS = {
  maxConcurrentWorkflowTaskExecutions: 200,
  maxConcurrentActivityTaskExecutions: 200,
  maxConcurrentWorkflowTaskPolls: 20,
  maxConcurrentActivityTaskPolls: 20,
};

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

// ---------------------------------------------------------------------------------------------- cleanup

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function cleanupSync(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: cleaning up`);
    cleanupSync();
    process.exit(130);
  });
}

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

function removeDir(d: string): void {
  rmSync(d, { recursive: true, force: true });
  tempDirs.delete(d);
}

// ---------------------------------------------------------------------------------------------- helpers

const now = (): number => performance.now();

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Dist {
  p50: number;
  p99: number;
  max: number;
}

function dist(values: number[]): Dist {
  const s = [...values].sort((a, b) => a - b);
  return { p50: round(percentile(s, 50)), p99: round(percentile(s, 99)), max: round(s[s.length - 1] ?? NaN) };
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** `VmRSS` and `VmHWM` of a process in MiB, or undefined when it is gone. */
function procMem(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** user+system CPU seconds of a process, from /proc/<pid>/stat. */
function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime/stime are fields 14/15.
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------- server child

interface ServerChild {
  child: ChildProcess;
  pid: number;
  address: string;
  spawnToReadyMs: number;
  spawnedAt: number;
  output: () => string;
  stop: () => Promise<void>;
}

async function spawnServer(mode: 'durable' | 'memory', dataDir: string | undefined): Promise<ServerChild> {
  const nodeArgs = ['--conditions=source', '--import', 'tsx'];
  // One file per thread (main + tsx's module-hooks thread); the main thread's is the big one.
  if (PROFILE_DIR) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, mode)}`);
  const cliArgs = ['--port', '0', '--host', '127.0.0.1', ...(dataDir ? ['--data-dir', dataDir] : ['--in-memory'])];
  const spawnedAt = now();
  const child = spawn(process.execPath, [...nodeArgs, cliPath, ...cliArgs], { cwd: pkgDir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  const append = (chunk: Buffer): void => {
    out += chunk.toString();
    if (out.length > 64_000) out = out.slice(-32_000);
  };
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = await withTimeout(
    new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        append(chunk);
        buf += chunk.toString();
        const m = /ready: gRPC on (\S+)/.exec(buf);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code, sig) => reject(new Error(`server exited before ready (code ${code}, signal ${sig}):\n${out}`)));
      child.once('error', reject);
    }),
    30_000,
    'server start-up',
  );
  const spawnToReadyMs = now() - spawnedAt;
  return {
    child,
    pid: child.pid!,
    address,
    spawnToReadyMs,
    spawnedAt,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killTimer);
      }
      children.delete(child);
    },
  };
}

// ---------------------------------------------------------------------------------------------- workload

/** Signal sends the third activity asked for (after-activities mode), keyed by workflow id. */
const pendingSignals = new Map<string, Promise<number>>();
let signalClient: Client | undefined;

const activities: BenchActivities = {
  async step(n: number): Promise<number> {
    if (n === 2 && SIGNAL_MODE === 'after-activities') {
      const workflowId = Context.current().info.workflowExecution?.workflowId;
      if (workflowId === undefined) throw new Error('step activity run outside a workflow');
      const client = signalClient;
      if (client && !pendingSignals.has(workflowId)) {
        // Sent once the activity has returned (its completion is on its way to the server).
        pendingSignals.set(
          workflowId,
          new Promise<void>((r) => setImmediate(r)).then(async () => {
            const t0 = now();
            await client.workflow.getHandle(workflowId).signal(goSignal, 1);
            return now() - t0;
          }),
        );
      }
    }
    return n + 1;
  },
};

interface BatchResult {
  count: number;
  elapsedMs: number;
  wfPerSec: number;
  startLatency: Dist;
  signalLatency: Dist;
  e2eLatency: Dist;
}

async function runBatch(client: Client, taskQueue: string, prefix: string, count: number): Promise<BatchResult> {
  const startLat: number[] = [];
  const signalLat: number[] = [];
  const e2eLat: number[] = [];
  const t0 = now();
  let lastResult = t0;
  await withTimeout(
    Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const workflowId = `${prefix}-${i}`;
        const s0 = now();
        const handle = await client.workflow.start(benchWorkflow, { taskQueue, workflowId, args: [] });
        startLat.push(now() - s0);
        if (SIGNAL_MODE === 'after-start') {
          const g0 = now();
          await handle.signal(goSignal, 1);
          signalLat.push(now() - g0);
        }
        const result = await handle.result();
        const done = now();
        e2eLat.push(done - s0);
        if (done > lastResult) lastResult = done;
        if (result !== 4) throw new Error(`${workflowId}: unexpected result ${String(result)}`);
        const pending = pendingSignals.get(workflowId);
        if (pending) {
          signalLat.push(await pending);
          pendingSignals.delete(workflowId);
        }
      }),
    ),
    TIMEOUT_MS,
    `batch ${prefix} (${count} workflows)`,
  );
  const elapsedMs = lastResult - t0;
  return {
    count,
    elapsedMs: round(elapsedMs),
    wfPerSec: round((count / elapsedMs) * 1000),
    startLatency: dist(startLat),
    signalLatency: dist(signalLat),
    e2eLatency: dist(e2eLat),
  };
}

interface ModeResult {
  mode: string;
  spawnToReadyMs: number;
  spawnToSystemInfoMs: number;
  idleRssMiB: number;
  warmup?: BatchResult;
  run: BatchResult;
  peakRssMiB: number;
  finalRssMiB: number;
  hwmRssMiB: number;
  serverCpuSec: number;
  serverCpuPct: number;
  driverCpuSec: number;
  driverCpuPct: number;
  serverCpuMsPerWf: number;
  driverCpuMsPerWf: number;
  /** Workflows/s this machine could reach if CPU were the only limit and nothing else ran on it. */
  cpuBoundCeilingWfPerSec: number;
  loadAvg1m: number;
  maxCachedWorkflows: number;
}

async function runMode(mode: 'durable' | 'memory', bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>): Promise<ModeResult> {
  const dataDir = mode === 'durable' ? tempDir('embedded-temporal-bench-') : undefined;
  let server: ServerChild | undefined;
  let connection: Connection | undefined;
  let native: NativeConnection | undefined;
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    server = await spawnServer(mode, dataDir);
    connection = await Connection.connect({ address: server.address });
    await connection.workflowService.getSystemInfo({});
    const spawnToSystemInfoMs = now() - server.spawnedAt;
    const idleRssMiB = procMem(server.pid)?.rss ?? NaN;

    const client = new Client({ connection });
    signalClient = client;
    native = await NativeConnection.connect({ address: server.address });
    const taskQueue = `bench-${mode}-${process.pid}`;
    worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities, ...WORKER_OPTIONS });
    workerRun = worker.run();
    const workerFailed = workerRun.then(
      () => {
        throw new Error('worker stopped unexpectedly');
      },
      (err: unknown) => {
        throw new Error(`worker failed: ${String(err)}`);
      },
    );
    workerFailed.catch(() => undefined);

    let warmup: BatchResult | undefined;
    if (WARMUP > 0) warmup = await Promise.race([runBatch(client, taskQueue, `warmup-${mode}`, WARMUP), workerFailed]);

    let peakRss = procMem(server.pid)?.rss ?? 0;
    const pid = server.pid;
    sampler = setInterval(() => {
      const m = procMem(pid);
      if (m && m.rss > peakRss) peakRss = m.rss;
    }, 50);
    const cpu0 = procCpuSeconds(pid);
    const driverCpu0 = process.cpuUsage();
    const run = await Promise.race([runBatch(client, taskQueue, `run-${mode}`, N), workerFailed]);
    const serverCpuSec = procCpuSeconds(pid) - cpu0;
    const driverCpu = process.cpuUsage(driverCpu0);
    const driverCpuSec = (driverCpu.user + driverCpu.system) / 1e6;
    clearInterval(sampler);
    sampler = undefined;
    const final = procMem(pid);
    if (final && final.rss > peakRss) peakRss = final.rss;
    return {
      mode,
      spawnToReadyMs: round(server.spawnToReadyMs),
      spawnToSystemInfoMs: round(spawnToSystemInfoMs),
      idleRssMiB: round(idleRssMiB),
      warmup,
      run,
      peakRssMiB: round(peakRss),
      finalRssMiB: round(final?.rss ?? NaN),
      hwmRssMiB: round(final?.hwm ?? NaN),
      serverCpuSec: round(serverCpuSec, 2),
      serverCpuPct: round((serverCpuSec / (run.elapsedMs / 1000)) * 100, 0),
      driverCpuSec: round(driverCpuSec, 2),
      driverCpuPct: round((driverCpuSec / (run.elapsedMs / 1000)) * 100, 0),
      serverCpuMsPerWf: round((serverCpuSec * 1000) / N, 2),
      driverCpuMsPerWf: round((driverCpuSec * 1000) / N, 2),
      cpuBoundCeilingWfPerSec: round((availableParallelism() * 1000) / (((serverCpuSec + driverCpuSec) * 1000) / N)),
      loadAvg1m: round(loadavg()[0]!, 2),
      maxCachedWorkflows: worker.options.maxCachedWorkflows,
    };
  } catch (err) {
    if (server) console.error(`--- server output (${mode}) ---\n${server.output().slice(-4000)}`);
    throw err;
  } finally {
    if (sampler) clearInterval(sampler);
    signalClient = undefined;
    pendingSignals.clear();
    if (worker && workerRun) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await withTimeout(workerRun, 30_000, 'worker shutdown').catch((e: unknown) => console.error(String(e)));
    }
    await native?.close().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await server?.stop();
    if (dataDir) removeDir(dataDir);
  }
}

// ---------------------------------------------------------------------------------------------- start-up in process

interface InProcessStartup {
  importMs: number;
  memoryFirstMs: number;
  memoryMedianMs: number;
  durableFirstMs: number;
  durableMedianMs: number;
  nodeTsxBaselineMs: number;
}

function median(v: number[]): number {
  return percentile([...v].sort((a, b) => a - b), 50);
}

async function measureInProcessStartup(): Promise<InProcessStartup> {
  // Floor of the CLI number: a node process that loads the tsx hooks and does nothing.
  const b0 = now();
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--eval', '0'], { cwd: pkgDir, stdio: 'ignore' });
  const nodeTsxBaselineMs = now() - b0;
  if (r.status !== 0) throw new Error(`node --import tsx baseline failed: ${r.status}`);

  const i0 = now();
  const { startEmbeddedTemporal } = await import('../src/index.js');
  const importMs = now() - i0;
  const time = async (dataDir: string | undefined): Promise<number> => {
    const t0 = now();
    const s = await startEmbeddedTemporal({ port: 0, host: '127.0.0.1', dataDir });
    const ms = now() - t0;
    await s.stop();
    return ms;
  };
  const mem: number[] = [];
  const dur: number[] = [];
  for (let i = 0; i < 5; i++) {
    mem.push(await time(undefined));
    const d = tempDir('embedded-temporal-bench-startup-');
    try {
      dur.push(await time(d));
    } finally {
      removeDir(d);
    }
  }
  return {
    importMs: round(importMs),
    memoryFirstMs: round(mem[0]!),
    memoryMedianMs: round(median(mem)),
    durableFirstMs: round(dur[0]!),
    durableMedianMs: round(median(dur)),
    nodeTsxBaselineMs: round(nodeTsxBaselineMs),
  };
}

// ---------------------------------------------------------------------------------------------- report

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

function printReport(startup: InProcessStartup, results: ModeResult[], bundleMs: number): void {
  const rows: Array<[string, ...string[]]> = [];
  const add = (label: string, f: (r: ModeResult) => string): void => {
    rows.push([label, ...results.map(f)]);
  };
  const ms = (v: number): string => `${v.toFixed(1)} ms`;
  const mib = (v: number): string => `${v.toFixed(1)} MiB`;
  const d = (x: Dist): string => `${x.p50.toFixed(1)} / ${x.p99.toFixed(1)} / ${x.max.toFixed(1)} ms`;
  add('start-up: spawn → ready line', (r) => `${ms(r.spawnToReadyMs)}  ${verdict(r.spawnToReadyMs < TARGET_STARTUP_MS)} (<${TARGET_STARTUP_MS} ms)`);
  add('start-up: spawn → first GetSystemInfo', (r) => ms(r.spawnToSystemInfoMs));
  add('warm-up', (r) => (r.warmup ? `${r.warmup.count} wf, ${r.warmup.wfPerSec.toFixed(1)} wf/s` : '-'));
  add('workflows (3 activities + 1 signal)', (r) => String(r.run.count));
  add('elapsed (first start → last result)', (r) => ms(r.run.elapsedMs));
  add('throughput', (r) => `${r.run.wfPerSec.toFixed(1)} wf/s  ${verdict(r.run.wfPerSec >= TARGET_WFPS)} (≥${TARGET_WFPS})`);
  add('start() latency p50 / p99 / max', (r) => d(r.run.startLatency));
  add('signal() latency p50 / p99 / max', (r) => d(r.run.signalLatency));
  add('start → result p50 / p99 / max', (r) => d(r.run.e2eLatency));
  add('server RSS idle (after ready)', (r) => mib(r.idleRssMiB));
  add('server RSS peak during run', (r) => mib(r.peakRssMiB));
  add('server RSS final (after run)', (r) => mib(r.finalRssMiB));
  add('server RSS high-water mark (VmHWM)', (r) => mib(r.hwmRssMiB));
  add('server CPU during run', (r) => `${r.serverCpuSec.toFixed(2)} s (${r.serverCpuPct}% of one core)`);
  add('client+worker CPU during run', (r) => `${r.driverCpuSec.toFixed(2)} s (${r.driverCpuPct}% of one core)`);
  add('CPU per workflow: server / client+worker', (r) => `${r.serverCpuMsPerWf.toFixed(2)} / ${r.driverCpuMsPerWf.toFixed(2)} ms`);
  add(`CPU-bound ceiling (${availableParallelism()} cores, idle machine)`, (r) => `${r.cpuBoundCeilingWfPerSec.toFixed(0)} wf/s`);
  add('1-min load average after run', (r) => r.loadAvg1m.toFixed(2));
  const header: [string, ...string[]] = ['metric', ...results.map((r) => (r.mode === 'durable' ? 'durable (fsync)' : 'in-memory'))];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]): string => row.map((cell, c) => cell.padEnd(widths[c]!)).join(' │ ');
  console.log('');
  console.log(line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('─┼─'));
  for (const row of rows) console.log(line(row));
  console.log('');
  console.log('In-process start-up (startEmbeddedTemporal call → resolved, this process, port 0, 127.0.0.1):');
  console.log(`  import of the package (tsx compile, first load):  ${ms(startup.importMs)}`);
  console.log(
    `  in-memory:        first ${ms(startup.memoryFirstMs)}, median of 5 ${ms(startup.memoryMedianMs)}  ${verdict(startup.memoryFirstMs < TARGET_STARTUP_MS)} (<${TARGET_STARTUP_MS} ms)`,
  );
  console.log(
    `  empty data dir:   first ${ms(startup.durableFirstMs)}, median of 5 ${ms(startup.durableMedianMs)}  ${verdict(startup.durableFirstMs < TARGET_STARTUP_MS)} (<${TARGET_STARTUP_MS} ms)`,
  );
  console.log(`  node --import tsx --eval 0 (process floor of the spawn number): ${ms(startup.nodeTsxBaselineMs)}`);
  console.log(`Workflow bundle (not timed in any number above): ${ms(bundleMs)}`);
  console.log(
    `Signal mode: ${SIGNAL_MODE}; worker: ${JSON.stringify(WORKER_OPTIONS)}, maxCachedWorkflows ${results[0]?.maxCachedWorkflows ?? '-'}; ` +
      `${process.execPath.split('/').pop()} ${process.version}, ${CLK_TCK} Hz`,
  );
  console.log('');
  console.log(
    JSON.stringify({
      bench: 'embedded-temporal-throughput',
      n: N,
      warmup: WARMUP,
      signalMode: SIGNAL_MODE,
      workerOptions: WORKER_OPTIONS,
      targets: { startupMs: TARGET_STARTUP_MS, wfPerSec: TARGET_WFPS },
      inProcessStartup: startup,
      bundleMs: round(bundleMs),
      modes: results.map((r) => ({
        ...r,
        pass: { startup: r.spawnToReadyMs < TARGET_STARTUP_MS, throughput: r.run.wfPerSec >= TARGET_WFPS },
      })),
    }),
  );
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  if (PROFILE_DIR) console.log(`CPU profiles of the server child go to ${PROFILE_DIR}`);
  const load = loadavg()[0]!;
  if (load > availableParallelism()) {
    console.log(`note: 1-min load average ${load.toFixed(1)} > ${availableParallelism()} cores — other processes compete for CPU; numbers will be low`);
  }
  console.log(`embedded-temporal throughput bench: N=${N}, warm-up=${WARMUP}, modes=${MODES.join(',')}, signal=${SIGNAL_MODE}`);
  const b0 = now();
  const bundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });
  const bundleMs = now() - b0;
  const startup = await measureInProcessStartup();
  const results: ModeResult[] = [];
  for (const mode of MODES as Array<'durable' | 'memory'>) {
    console.log(`running ${mode} ...`);
    const r = await runMode(mode, bundle);
    console.log(
      `  ${mode}: ready in ${r.spawnToReadyMs} ms, ${r.run.wfPerSec} wf/s, start p50/p99 ${r.run.startLatency.p50}/${r.run.startLatency.p99} ms, peak RSS ${r.peakRssMiB} MiB`,
    );
    results.push(r);
  }
  printReport(startup, results, bundleMs);
}

try {
  await main();
} catch (err) {
  console.error('bench failed:', err);
  process.exitCode = 1;
} finally {
  cleanupSync();
}
// The SDK runtime keeps native handles; leave promptly once everything is reported.
process.exit(process.exitCode ?? 0);
