// The API process of logging.bench.ts: the real app and logger (JSON lines to stdout) in front of a stub gateway that
// answers at once, so what is measured is the API's own cost, Temporal left out. Sends its port to the parent.
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { ResearchGateway } from '../src/temporal/gateway.js';

const unused = () => Promise.reject(new Error('not used by the logging bench'));
let next = 0;
const gateway: ResearchGateway = {
  startResearch: async () => ({
    created: true,
    workflowId: `research-${next++}`,
    runId: 'run-1',
    status: 'RUNNING',
    stage: 'queued',
  }),
  getWorkflow: unused,
  approve: unused,
  getReceipts: unused,
  ready: unused,
  listWorkflows: unused,
  cancel: unused,
  openEvents: unused,
};

const app = buildApp({
  config: loadConfig({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', RATE_LIMIT_MAX: '100000000' }),
  temporal: gateway,
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
process.on('message', () => void app.close().then(() => process.exit(0)));
