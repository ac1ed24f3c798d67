import { parseArgs } from 'node:util';
import { startEmbeddedTemporal } from './server.js';

// Process entry point: `node --import tsx src/cli.ts [--port 7233] [--data-dir ./.data | --in-memory] [--host 127.0.0.1]
// [--namespace default] [--accept-compressed-requests] [--eager-activities]`.
const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    host: { type: 'string' },
    namespace: { type: 'string' },
    'in-memory': { type: 'boolean' },
    'accept-compressed-requests': { type: 'boolean' },
    'eager-activities': { type: 'boolean' },
  },
});

const port = Number(values.port ?? process.env.TEMPORAL_PORT ?? 7233);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port: ${values.port ?? process.env.TEMPORAL_PORT}`);
  process.exit(2);
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
