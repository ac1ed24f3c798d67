import { parseArgs } from 'node:util';
import { parseDurationFlagMs } from './duration-flag.js';
import { isLoopbackHost } from './loopback-host.js';
import { DEFAULT_MAX_RECEIVE_MESSAGE_SIZE, startEmbeddedTemporal } from './server.js';
import { parseSizeBytes } from './size-flag.js';

const usage = `Usage: embedded-temporal [options]
  --port <n>                     TCP port, 0 = any free port (env TEMPORAL_PORT; default 7233)
  --data-dir <dir>               durable state directory (env DATA_DIR; default ./.data)
  --in-memory                    keep nothing on disk
  --host <address>               bind only this host (default: 127.0.0.1 and ::1); a non-loopback
                                 address needs --allow-remote
  --allow-remote                 allow a non-loopback --host: the server has no authentication
  --namespace <name>             namespace created at first start (default: default)
  --long-poll-timeout <duration> cap for history and update long polls (default 20s)
  --task-poll-timeout <duration> cap for task-queue polls (default 60s)
  --accept-compressed-requests   inflate gzip/deflate requests instead of refusing them
  --eager-activities             eager activity execution
  --max-receive-message-size <size>
                                 largest request accepted (default 4MiB)
  --help                         print this and exit
Durations: 250ms, 5s, 2m, 1h, or a number of milliseconds. Sizes: 512KiB, 4MiB, or a number of bytes.`;

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

const options = {
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  host: { type: 'string' },
  'allow-remote': { type: 'boolean' },
  namespace: { type: 'string' },
  'in-memory': { type: 'boolean' },
  'long-poll-timeout': { type: 'string' },
  'task-poll-timeout': { type: 'string' },
  'accept-compressed-requests': { type: 'boolean' },
  'eager-activities': { type: 'boolean' },
  'max-receive-message-size': { type: 'string' },
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

const port = Number(values.port ?? process.env.TEMPORAL_PORT ?? 7233);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`invalid port: ${values.port ?? process.env.TEMPORAL_PORT}`);

function durationFlag(name: 'long-poll-timeout' | 'task-poll-timeout'): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  return parseDurationFlagMs(raw) ?? fail(`invalid --${name}: ${raw}`);
}
const longPollTimeoutMs = durationFlag('long-poll-timeout');
const taskPollTimeoutMs = durationFlag('task-poll-timeout');
const rawMessageSize = values['max-receive-message-size'];
const maxReceiveMessageSize =
  rawMessageSize === undefined
    ? DEFAULT_MAX_RECEIVE_MESSAGE_SIZE
    : (parseSizeBytes(rawMessageSize) ?? fail(`invalid --max-receive-message-size: ${rawMessageSize}`));

// Anyone who can reach the port can start, read, signal and terminate any workflow: there is no authentication.
if (values.host !== undefined && !isLoopbackHost(values.host)) {
  if (!values['allow-remote']) {
    fail(
      `refusing --host ${values.host}: it is not a loopback address, and this server has no authentication ` +
        '(anyone who can reach it can start, read, signal and terminate workflows). ' +
        'Pass --allow-remote to bind it anyway.',
    );
  }
  console.error(
    `[embedded-temporal] WARNING: listening on ${values.host} without authentication or TLS: anyone who can ` +
      'reach this port can start, read, signal and terminate workflows.',
  );
}

const dataDir = values['in-memory'] ? undefined : (values['data-dir'] ?? process.env.DATA_DIR ?? './.data');

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
    maxReceiveMessageSize,
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
