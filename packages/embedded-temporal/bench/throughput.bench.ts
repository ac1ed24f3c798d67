// End-to-end throughput benchmark of the embedded Temporal server, run against the real SDK and against a
// synthetic protocol driver.
//
//   npm run bench -w @research/embedded-temporal [-- --n 1000 --warmup 200 --modes durable,memory
//                                                  --driver sdk,protocol --wft-polls 100
//                                                  --signal after-activities|after-start --profile DIR]
//
// Env equivalents: BENCH_N, BENCH_WARMUP, BENCH_MODES, BENCH_DRIVER, BENCH_WFT_POLLS, BENCH_SIGNAL, BENCH_PROFILE,
// BENCH_TIMEOUT_S. The warm-up is long because short runs mostly measure V8 compiling the hot paths.
//
// Drivers (default both, sdk first; the protocol runs take a fraction of the sdk runs' time):
//  - sdk: the real @temporalio/client and @temporalio/worker (sdk-driver.ts). What an application sees; on a
//    small machine the SDK worker's own CPU caps the number before the server does.
//  - protocol: a synthetic client + worker on raw gRPC (protocol-driver.ts, synthetic-worker.ts) that makes the
//    server do the same work (sticky queues, eager activities, same commands) for little CPU, so the server's
//    capacity can be read off. After each of its runs a few of its histories are replayed with the real SDK
//    worker against benchWorkflow ("replay check"); a nondeterminism error fails the bench.
//
// What it does, per driver and server mode (durable = fresh temp data dir, memory = `--in-memory`):
//  1. Spawns the server as a child process through the bundled CLI (`node dist/cli.bundle.mjs --port 0 --host 127.0.0.1
//     --eager-activities ...`; `npm run bench` builds it first), so its RSS and CPU are measured apart from this process, which runs the
//     client and the worker. Start-up = spawn → `ready` line, and spawn → first successful GetSystemInfo.
//  2. The driver's worker (sdk: one NativeConnection + Worker, benchWorkflow from ./workflows.ts bundled once up
//     front) on a fresh task queue; a warm-up batch, then N workflows started concurrently by the driver's client.
//  3. Each workflow runs three sequential trivial activities, then waits on `condition()` for the `go` signal.
//     Signal mode `after-activities` (default): the third activity, when it returns, makes the driver send
//     the signal — so the signal arrives as its own event, around the time the workflow reaches its wait
//     (exercises SignalWorkflowExecution plus the signal-while-task-in-flight / new-workflow-task paths).
//     `after-start`: signal right after `start()` resolves (the signal is buffered until the workflow reads it).
//  4. Throughput = N / (first start() call → last result()). Server RSS (VmRSS) sampled every 50 ms.
// Before that it also measures the in-process `startEmbeddedTemporal` time (imported into this process,
// in-memory and with an empty data dir), and the CLI's spawn → ready five times, against a bare `node --eval 0`.
//
// Exit code is non-zero only on errors; missed targets are printed as MISS.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { withTimeout, type BenchDriver } from './driver.js';
import { SdkDriver, workerOptions } from './sdk-driver.js';
import { ProtocolDriver, type ReplayCheck } from './protocol-driver.js';
import type { SyntheticWorkerStats } from './synthetic-worker.js';

// ---------------------------------------------------------------------------------------------- options

const { values: argv } = parseArgs({
  options: {
    n: { type: 'string' },
    warmup: { type: 'string' },
    modes: { type: 'string' },
    driver: { type: 'string' },
    signal: { type: 'string' },
    profile: { type: 'string' },
    timeout: { type: 'string' },
    'wft-polls': { type: 'string' },
  },
});

function intOpt(name: string, raw: string | undefined, def: number): number {
  if (raw === undefined || raw === '') return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new Error(`invalid --${name}: ${raw}`);
  return v;
}

const N = intOpt('n', argv.n ?? process.env.BENCH_N, 1000);
const WARMUP = intOpt('warmup', argv.warmup ?? process.env.BENCH_WARMUP, 200);
// Workflow-task pollers of either driver (a fifth of them on the normal queue, as sdk-core splits them). With
// fewer, the polls rather than CPU bound the rate, both processes partly idle: the N first tasks of a burst of
// starts all wait for the normal-queue pollers. Synthetic driver, in memory: 77 wf/s with 50, 110 with 100.
const WFT_POLLS = intOpt('wft-polls', argv['wft-polls'] ?? process.env.BENCH_WFT_POLLS, 100);
const WORKER_OPTIONS = workerOptions(WFT_POLLS);
const TIMEOUT_MS = intOpt('timeout', argv.timeout ?? process.env.BENCH_TIMEOUT_S, 300) * 1000;
const MODES = (argv.modes ?? process.env.BENCH_MODES ?? 'durable,memory')
  .split(',')
  .map((m) => m.trim())
  .filter(Boolean);
for (const m of MODES) if (m !== 'durable' && m !== 'memory') throw new Error(`invalid mode ${m} (durable|memory)`);
type DriverKind = 'sdk' | 'protocol';
const DRIVERS = (argv.driver ?? process.env.BENCH_DRIVER ?? 'sdk,protocol')
  .split(',')
  .map((d) => d.trim())
  .filter(Boolean);
for (const d of DRIVERS) if (d !== 'sdk' && d !== 'protocol') throw new Error(`invalid driver ${d} (sdk|protocol)`);
const SIGNAL_MODE = argv.signal ?? process.env.BENCH_SIGNAL ?? 'after-activities';
if (SIGNAL_MODE !== 'after-activities' && SIGNAL_MODE !== 'after-start')
  throw new Error(`invalid --signal ${SIGNAL_MODE}`);
const PROFILE_DIR = argv.profile ?? process.env.BENCH_PROFILE;

const TARGET_STARTUP_MS = 500;
const TARGET_WFPS = 100;
/** The synthetic worker polls like the sdk one: sdk-core splits the workflow-task polls by its default
 * nonStickyToStickyPollRatio of 0.2 between the normal and the sticky queue. */
const NORMAL_WFT_POLLS = Math.max(1, Math.floor(WORKER_OPTIONS.maxConcurrentWorkflowTaskPolls * 0.2));
const SYNTHETIC_POLLERS = {
  normal: NORMAL_WFT_POLLS,
  sticky: Math.max(1, WORKER_OPTIONS.maxConcurrentWorkflowTaskPolls - NORMAL_WFT_POLLS),
  activity: WORKER_OPTIONS.maxConcurrentActivityTaskPolls,
};

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
// The bundled CLI, as production runs it (`npm run bench` builds first): start-up through tsx would mostly
// measure tsx compiling the sources.
const cliPath = fileURLToPath(new URL('../dist/cli.bundle.mjs', import.meta.url));
if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first (npm run bench does)`);
const CLI_STARTUP_SPAWNS = 5;

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

/** user+system CPU seconds of a process, or with `thread` of one of its threads (the main one has the pid's id). */
function procCpuSeconds(pid: number, thread?: number): number {
  try {
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime/stime are fields 14/15.
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds the hypervisor gave to other guests while this machine's vCPUs wanted to run (the `steal` column of
 * /proc/stat, summed over all CPUs). On a shared VM it is what makes the same build run at half speed now and then.
 */
function stolenCpuSeconds(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
    return Number(cpu[8] ?? NaN) / CLK_TCK;
  } catch {
    return NaN;
  }
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
  const nodeArgs: string[] = [];
  if (PROFILE_DIR) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, mode)}`);
  // Eager activities on, as a Temporal operator tuning for throughput would (`system.enableActivityEagerExecution`).
  const cliArgs = [
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--eager-activities',
    ...(dataDir ? ['--data-dir', dataDir] : ['--in-memory']),
  ];
  const spawnedAt = now();
  const child = spawn(process.execPath, [...nodeArgs, cliPath, ...cliArgs], {
    cwd: pkgDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  const append = (chunk: Buffer): void => {
    out += chunk.toString();
    if (out.length > 64_000) out = out.slice(-32_000);
  };
  child.stderr.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = await withTimeout(
    new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (chunk: Buffer) => {
        append(chunk);
        buf += chunk.toString();
        const m = /ready: gRPC on (\S+)/.exec(buf);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code, sig) =>
        reject(new Error(`server exited before ready (code ${code}, signal ${sig}):\n${out}`)),
      );
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

/** The after-activities hook: sends `go` once the third activity's result is on its way to the server. */
function signalAfterLastStep(driver: () => BenchDriver): ((workflowId: string) => void) | undefined {
  if (SIGNAL_MODE !== 'after-activities') return undefined;
  return (workflowId) => {
    if (pendingSignals.has(workflowId)) return;
    pendingSignals.set(
      workflowId,
      new Promise<void>((r) => setImmediate(r)).then(async () => {
        const t0 = now();
        await driver().signal(workflowId);
        return now() - t0;
      }),
    );
  };
}

interface BatchResult {
  count: number;
  elapsedMs: number;
  wfPerSec: number;
  startLatency: Dist;
  signalLatency: Dist;
  e2eLatency: Dist;
}

async function runBatch(driver: BenchDriver, taskQueue: string, prefix: string, count: number): Promise<BatchResult> {
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
        const handle = await driver.start(taskQueue, workflowId);
        startLat.push(now() - s0);
        if (SIGNAL_MODE === 'after-start') {
          const g0 = now();
          await handle.signal();
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
  /** CPU time the hypervisor stole from this machine during the run, and its share of all cores × elapsed. */
  stolenCpuSec: number;
  stolenCpuPct: number;
  /** sdk driver: the worker's workflow cache size. */
  maxCachedWorkflows?: number;
  /**
   * sdk driver: mean completed workflow tasks per workflow over a sample of the run's histories. Four when the
   * signal joins the third activity's task, five when it lands while that task is running; CPU per workflow
   * follows it.
   */
  workflowTasksPerWf?: number;
  /** protocol driver: what its worker saw, and the SDK replay of its histories. */
  synthetic?: {
    pollers: typeof SYNTHETIC_POLLERS;
    stats: SyntheticWorkerStats;
    replayCheck: ReplayCheck;
    /** The server's JavaScript thread alone (the rest is GC and libuv threads). */
    serverMainThreadCpuMsPerWf: number;
  };
}

/** How many of a run's histories the sdk driver reads back to count workflow tasks. */
const WFT_SAMPLE = 50;

/** `count` workflow ids of a batch, evenly spread over it. */
function sampleIds(prefix: string, batchSize: number, count: number): string[] {
  const step = Math.max(1, Math.floor(batchSize / count));
  const ids: string[] = [];
  for (let i = 0; i < batchSize && ids.length < count; i += step) ids.push(`${prefix}-${i}`);
  return ids;
}

async function runMode(
  mode: 'durable' | 'memory',
  kind: DriverKind,
  bundle: WorkflowBundleWithSourceMap,
): Promise<ModeResult> {
  const dataDir = mode === 'durable' ? tempDir('embedded-temporal-bench-') : undefined;
  const onLastStep = signalAfterLastStep(() => driver);
  const driver =
    kind === 'sdk'
      ? new SdkDriver(bundle, WORKER_OPTIONS, onLastStep)
      : new ProtocolDriver(SYNTHETIC_POLLERS, onLastStep);
  let server: ServerChild | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    server = await spawnServer(mode, dataDir);
    await driver.connect(server.address);
    const spawnToSystemInfoMs = now() - server.spawnedAt;
    const idleRssMiB = procMem(server.pid)?.rss ?? NaN;

    const taskQueue = `bench-${mode}-${kind}-${process.pid}`;
    await driver.startWorker(taskQueue);

    let warmup: BatchResult | undefined;
    if (WARMUP > 0)
      warmup = await Promise.race([runBatch(driver, taskQueue, `warmup-${mode}-${kind}`, WARMUP), driver.failed]);

    let peakRss = procMem(server.pid)?.rss ?? 0;
    const pid = server.pid;
    sampler = setInterval(() => {
      const m = procMem(pid);
      if (m && m.rss > peakRss) peakRss = m.rss;
    }, 50);
    const cpu0 = procCpuSeconds(pid);
    const mainCpu0 = procCpuSeconds(pid, pid);
    const driverCpu0 = process.cpuUsage();
    const stolen0 = stolenCpuSeconds();
    const run = await Promise.race([runBatch(driver, taskQueue, `run-${mode}-${kind}`, N), driver.failed]);
    const serverCpuSec = procCpuSeconds(pid) - cpu0;
    const serverMainThreadCpuSec = procCpuSeconds(pid, pid) - mainCpu0;
    const stolenSec = stolenCpuSeconds() - stolen0;
    const driverCpu = process.cpuUsage(driverCpu0);
    const driverCpuSec = (driverCpu.user + driverCpu.system) / 1e6;
    clearInterval(sampler);
    sampler = undefined;
    const final = procMem(pid);
    if (final && final.rss > peakRss) peakRss = final.rss;
    const synthetic =
      driver instanceof ProtocolDriver
        ? {
            pollers: SYNTHETIC_POLLERS,
            stats: { ...driver.stats! },
            replayCheck: await driver.replayCheck(bundle),
            serverMainThreadCpuMsPerWf: round((serverMainThreadCpuSec * 1000) / N, 2),
          }
        : undefined;
    const workflowTasksPerWf =
      driver instanceof SdkDriver
        ? round(await driver.meanWorkflowTasks(sampleIds(`run-${mode}-${kind}`, N, WFT_SAMPLE)), 2)
        : undefined;
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
      stolenCpuSec: round(stolenSec, 2),
      stolenCpuPct: round((stolenSec / (availableParallelism() * (run.elapsedMs / 1000))) * 100, 1),
      maxCachedWorkflows: driver instanceof SdkDriver ? driver.maxCachedWorkflows : undefined,
      workflowTasksPerWf,
      synthetic,
    };
  } catch (err) {
    if (server) console.error(`--- server output (${mode}) ---\n${server.output().slice(-4000)}`);
    throw err;
  } finally {
    if (sampler) clearInterval(sampler);
    pendingSignals.clear();
    await driver.close();
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
  nodeBaselineMs: number;
  /** spawn → `ready` of the compiled CLI in memory, CLI_STARTUP_SPAWNS times. */
  cliSpawnToReadyMs: number[];
  cliMedianMs: number;
}

function median(v: number[]): number {
  return percentile(
    [...v].sort((a, b) => a - b),
    50,
  );
}

async function measureInProcessStartup(): Promise<InProcessStartup> {
  // Floor of the CLI number: a node process that does nothing.
  const b0 = now();
  const r = spawnSync(process.execPath, ['--eval', '0'], { cwd: pkgDir, stdio: 'ignore' });
  const nodeBaselineMs = now() - b0;
  if (r.status !== 0) throw new Error(`node baseline failed: ${r.status}`);
  const cliSpawnToReadyMs: number[] = [];
  for (let i = 0; i < CLI_STARTUP_SPAWNS; i++) {
    const server = await spawnServer('memory', undefined);
    cliSpawnToReadyMs.push(round(server.spawnToReadyMs));
    await server.stop();
  }

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
    nodeBaselineMs: round(nodeBaselineMs),
    cliSpawnToReadyMs,
    cliMedianMs: round(median(cliSpawnToReadyMs)),
  };
}

// ---------------------------------------------------------------------------------------------- report

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

/**
 * Prints one driver's table, then (with `withStartup`) the in-process start-up numbers, then its configuration and
 * JSON line. The sdk driver's output is what this bench printed before the protocol driver existed.
 */
function printReport(
  startup: InProcessStartup,
  results: ModeResult[],
  bundleMs: number,
  kind: DriverKind,
  withStartup: boolean,
): void {
  const synthetic = kind === 'protocol';
  const driverLabel = synthetic ? 'synthetic client+worker' : 'client+worker';
  const rows: Array<[string, ...string[]]> = [];
  const add = (label: string, f: (r: ModeResult) => string): void => {
    rows.push([label, ...results.map(f)]);
  };
  const ms = (v: number): string => `${v.toFixed(1)} ms`;
  const mib = (v: number): string => `${v.toFixed(1)} MiB`;
  const d = (x: Dist): string => `${x.p50.toFixed(1)} / ${x.p99.toFixed(1)} / ${x.max.toFixed(1)} ms`;
  add(
    'start-up: spawn → ready line',
    (r) => `${ms(r.spawnToReadyMs)}  ${verdict(r.spawnToReadyMs < TARGET_STARTUP_MS)} (<${TARGET_STARTUP_MS} ms)`,
  );
  add('start-up: spawn → first GetSystemInfo', (r) => ms(r.spawnToSystemInfoMs));
  add('warm-up', (r) => (r.warmup ? `${r.warmup.count} wf, ${r.warmup.wfPerSec.toFixed(1)} wf/s` : '-'));
  add('workflows (3 activities + 1 signal)', (r) => String(r.run.count));
  add('elapsed (first start → last result)', (r) => ms(r.run.elapsedMs));
  add(
    'throughput',
    (r) => `${r.run.wfPerSec.toFixed(1)} wf/s  ${verdict(r.run.wfPerSec >= TARGET_WFPS)} (≥${TARGET_WFPS})`,
  );
  add('start() latency p50 / p99 / max', (r) => d(r.run.startLatency));
  add('signal() latency p50 / p99 / max', (r) => d(r.run.signalLatency));
  add('start → result p50 / p99 / max', (r) => d(r.run.e2eLatency));
  add('server RSS idle (after ready)', (r) => mib(r.idleRssMiB));
  add('server RSS peak during run', (r) => mib(r.peakRssMiB));
  add('server RSS final (after run)', (r) => mib(r.finalRssMiB));
  add('server RSS high-water mark (VmHWM)', (r) => mib(r.hwmRssMiB));
  add('server CPU during run', (r) => `${r.serverCpuSec.toFixed(2)} s (${r.serverCpuPct}% of one core)`);
  add(`${driverLabel} CPU during run`, (r) => `${r.driverCpuSec.toFixed(2)} s (${r.driverCpuPct}% of one core)`);
  add(
    `CPU per workflow: server / ${driverLabel}`,
    (r) => `${r.serverCpuMsPerWf.toFixed(2)} / ${r.driverCpuMsPerWf.toFixed(2)} ms`,
  );
  add(
    `CPU-bound ceiling (${availableParallelism()} cores, idle machine)`,
    (r) => `${r.cpuBoundCeilingWfPerSec.toFixed(0)} wf/s`,
  );
  if (synthetic) {
    // The server's own capacity with the driver on other cores: its JavaScript runs on one thread, so that
    // thread saturates first unless GC and I/O threads need more than the remaining cores.
    const mainMs = (r: ModeResult): number => r.synthetic?.serverMainThreadCpuMsPerWf ?? NaN;
    add('server main-thread CPU per workflow', (r) => `${mainMs(r).toFixed(2)} ms`);
    add(`server-only ceiling (${availableParallelism()} cores, driver elsewhere)`, (r) => {
      const ceiling = Math.min(1000 / mainMs(r), (availableParallelism() * 1000) / r.serverCpuMsPerWf);
      return `${ceiling.toFixed(0)} wf/s`;
    });
  }
  if (!synthetic)
    add(`workflow tasks per workflow (${WFT_SAMPLE} histories)`, (r) => (r.workflowTasksPerWf ?? NaN).toFixed(2));
  add('1-min load average after run', (r) => r.loadAvg1m.toFixed(2));
  add(
    'CPU stolen by the hypervisor during run',
    (r) => `${r.stolenCpuSec.toFixed(2)} s (${r.stolenCpuPct.toFixed(1)}% of all cores)`,
  );
  const title = synthetic ? 'metric — SYNTHETIC PROTOCOL DRIVER (not the SDK)' : 'metric';
  const header: [string, ...string[]] = [
    title,
    ...results.map((r) => (r.mode === 'durable' ? 'durable (fsync)' : 'in-memory')),
  ];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]): string => row.map((cell, c) => cell.padEnd(widths[c]!)).join(' │ ');
  console.log('');
  console.log(line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('─┼─'));
  for (const row of rows) console.log(line(row));
  console.log('');
  if (withStartup) printStartup(startup, bundleMs);
  if (synthetic) printSyntheticNotes(results);
  else {
    console.log(
      `Signal mode: ${SIGNAL_MODE}; worker: ${JSON.stringify(WORKER_OPTIONS)}, maxCachedWorkflows ${results[0]?.maxCachedWorkflows ?? '-'}; ` +
        `${process.execPath.split('/').pop()} ${process.version}, ${CLK_TCK} Hz`,
    );
  }
  console.log('');
  console.log(
    JSON.stringify({
      bench: synthetic ? 'embedded-temporal-throughput-protocol' : 'embedded-temporal-throughput',
      ...(synthetic ? { driver: 'synthetic protocol driver (not the SDK)' } : {}),
      n: N,
      warmup: WARMUP,
      signalMode: SIGNAL_MODE,
      workerOptions: synthetic ? { pollers: SYNTHETIC_POLLERS } : WORKER_OPTIONS,
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

function printStartup(startup: InProcessStartup, bundleMs: number): void {
  const ms = (v: number): string => `${v.toFixed(1)} ms`;
  console.log('In-process start-up (startEmbeddedTemporal call → resolved, this process, port 0, 127.0.0.1):');
  console.log(`  import of the package (tsx compile, first load):  ${ms(startup.importMs)}`);
  console.log(
    `  in-memory:        first ${ms(startup.memoryFirstMs)}, median of 5 ${ms(startup.memoryMedianMs)}  ${verdict(startup.memoryFirstMs < TARGET_STARTUP_MS)} (<${TARGET_STARTUP_MS} ms)`,
  );
  console.log(
    `  empty data dir:   first ${ms(startup.durableFirstMs)}, median of 5 ${ms(startup.durableMedianMs)}  ${verdict(startup.durableFirstMs < TARGET_STARTUP_MS)} (<${TARGET_STARTUP_MS} ms)`,
  );
  console.log(
    `CLI start-up (node dist/cli.bundle.mjs --in-memory, spawn → ready line), median of ${startup.cliSpawnToReadyMs.length}: ` +
      `${ms(startup.cliMedianMs)}  ${verdict(startup.cliMedianMs < TARGET_STARTUP_MS)} (<${TARGET_STARTUP_MS} ms); ` +
      `all: ${startup.cliSpawnToReadyMs.join(', ')} ms; node --eval 0 alone: ${ms(startup.nodeBaselineMs)}`,
  );
  console.log(`Workflow bundle (not timed in any number above): ${ms(bundleMs)}`);
}

function printSyntheticNotes(results: ModeResult[]): void {
  const p = SYNTHETIC_POLLERS;
  console.log(
    `Signal mode: ${SIGNAL_MODE}; synthetic worker: ${p.normal} normal + ${p.sticky} sticky workflow-task pollers, ${p.activity} activity pollers ` +
      `(the sdk worker's split), sticky completions, eager activities; ${process.execPath.split('/').pop()} ${process.version}, ${CLK_TCK} Hz`,
  );
  for (const r of results) {
    if (!r.synthetic) continue;
    const s = r.synthetic.stats;
    const t = s.signalTiming;
    console.log(
      `  ${r.mode} (warm-up + run): ${s.workflowTasks} workflow tasks (${s.emptyCompletions} answered empty, ${s.fullHistoryRepeats} full-history repeats), ` +
        `${s.activityTasks} activity tasks (${s.eagerActivityTasks} eager), ${s.rejectedCompletions} rejected completions; ` +
        `signal before / with / after the 3rd completion: ${t['before-third-completion']} / ${t['with-third-completion']} / ${t['after-third-completion']}`,
    );
    const replayed = r.synthetic.replayCheck.replayed.map((x) => `${x.workflowId} (signal ${x.timing})`).join(', ');
    console.log(`  ${r.mode} replay check: ok — SDK replayed ${replayed} against benchWorkflow`);
  }
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  if (PROFILE_DIR) console.log(`CPU profiles of the server child go to ${PROFILE_DIR}`);
  const load = loadavg()[0]!;
  if (load > availableParallelism()) {
    console.log(
      `note: 1-min load average ${load.toFixed(1)} > ${availableParallelism()} cores — other processes compete for CPU; numbers will be low`,
    );
  }
  console.log(
    `embedded-temporal throughput bench: N=${N}, warm-up=${WARMUP}, modes=${MODES.join(',')}, signal=${SIGNAL_MODE}, drivers=${DRIVERS.join(',')}`,
  );
  const b0 = now();
  const bundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });
  const bundleMs = now() - b0;
  const startup = await measureInProcessStartup();
  const results = new Map<DriverKind, ModeResult[]>();
  for (const kind of DRIVERS as DriverKind[]) {
    const byMode: ModeResult[] = [];
    for (const mode of MODES as Array<'durable' | 'memory'>) {
      console.log(
        kind === 'sdk' ? `running ${mode} ...` : `running ${mode} (synthetic protocol driver, not the SDK) ...`,
      );
      // Each run starts from a collected heap and a settled machine, so it does not pay for the previous one's
      // garbage (`npm run bench` passes --expose-gc).
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setTimeout(r, 2000));
      const r = await runMode(mode, kind, bundle);
      console.log(
        `  ${mode}: ready in ${r.spawnToReadyMs} ms, ${r.run.wfPerSec} wf/s, start p50/p99 ${r.run.startLatency.p50}/${r.run.startLatency.p99} ms, peak RSS ${r.peakRssMiB} MiB`,
      );
      if (r.synthetic)
        console.log(
          `  ${mode}: replay check: ok (${r.synthetic.replayCheck.replayed.length} histories replayed by the SDK)`,
        );
      byMode.push(r);
    }
    results.set(kind, byMode);
  }
  let first = true;
  for (const [kind, byMode] of results) {
    printReport(startup, byMode, bundleMs, kind, first);
    first = false;
  }
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
