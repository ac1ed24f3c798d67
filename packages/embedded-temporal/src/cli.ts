import { parseArgs } from 'node:util';
import { parseDurationMs } from './duration-flag.js';
import { startEmbeddedTemporal } from './server.js';

const usage = `Usage: embedded-temporal [options]
  --port <n>                     TCP port, 0 = any free port (env TEMPORAL_PORT; default 7233)
  --data-dir <dir>               durable state directory (env DATA_DIR; default ./.data)
  --in-memory                    keep nothing on disk
  --host <address>               bind only this host (default: 127.0.0.1 and ::1)
  --namespace <name>             namespace created at first start (default: default)
  --long-poll-timeout <duration> cap for history and update long polls (default 20s)
  --task-poll-timeout <duration> cap for task-queue polls (default 60s)
  --accept-compressed-requests   inflate gzip/deflate requests instead of refusing them
  --eager-activities             eager activity execution
  --help                         print this and exit
Durations: 250ms, 5s, 2m, 1h, or a number of milliseconds.`;

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

const options = {
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  host: { type: 'string' },
  namespace: { type: 'string' },
  'in-memory': { type: 'boolean' },
  'long-poll-timeout': { type: 'string' },
  'task-poll-timeout': { type: 'string' },
  'accept-compressed-requests': { type: 'boolean' },
  'eager-activities': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

function parseFlags(): ReturnType<typeof parseArgs<{ options: typeof options }>>['values'] {
  try {
    return parseArgs({ options }).values;
  } catch (err) {
    return fail((err as Error).message);
  }
}

const values = parseFlags();
if (values.help) {
  console.log(usage);
  process.exit(0);
}

/** An empty variable counts as unset, as everywhere else in the project. */
const fromEnv = (name: string): string | undefined => process.env[name]?.trim() || undefined;

const port = Number(values.port ?? fromEnv('TEMPORAL_PORT') ?? 7233);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`invalid port: ${values.port ?? fromEnv('TEMPORAL_PORT')}`);

function durationFlag(name: 'long-poll-timeout' | 'task-poll-timeout'): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  return parseDurationMs(raw) ?? fail(`invalid --${name}: ${raw}`);
}
const longPollTimeoutMs = durationFlag('long-poll-timeout');
const taskPollTimeoutMs = durationFlag('task-poll-timeout');
const dataDir = values['in-memory'] ? undefined : (values['data-dir'] ?? fromEnv('DATA_DIR') ?? './.data');

const logger = {
  info: (m: string) => console.log(`[embedded-temporal] ${m}`),
  warn: (m: string, err?: unknown) => console.warn(`[embedded-temporal] ${m}`, err ?? ''),
};

try {
  const server = await startEmbeddedTemporal({
    port,
    host: values.host,
    dataDir,
    namespace: values.namespace,
    longPollTimeoutMs,
    taskPollTimeoutMs,
    acceptCompressedRequests: values['accept-compressed-requests'],
    eagerActivities: values['eager-activities'],
    logger,
  });
  console.log(`[embedded-temporal] ready: gRPC on ${server.address} (data: ${dataDir ?? 'in-memory'})`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`[embedded-temporal] ${signal}: stopping`);
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('[embedded-temporal] stop failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  console.error('[embedded-temporal] failed to start:', err);
  process.exit(1);
}
