// `node --conditions=source --import tsx bench/logging.bench.ts [--profile]`: POST /research at concurrency 16
// against the API in a child process (stdout piped to this process, as a launcher would) with a stub gateway.
// Prints requests/s, p50, p99 and, with --profile, the share of the API's busy CPU spent in logging.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonHttp, runLoad } from './load.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

const profile = process.argv.includes('--profile');
const profileDir = profile ? mkdtempSync(join(tmpdir(), 'logging-bench-')) : undefined;
const child = fork(join(import.meta.dirname, 'logging-server.ts'), [], {
  execArgv: ['--conditions=source', '--import', 'tsx', ...(profile ? ['--import', './bench/cpu-profile.mjs'] : [])],
  env: { ...process.env, ...(profileDir ? { CPU_PROFILE_DIR: profileDir } : {}) },
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
});
let logBytes = 0;
child.stdout!.on('data', (chunk: Buffer) => (logBytes += chunk.length));
const [{ port }] = (await once(child, 'message')) as [{ port: number }];
const http = new JsonHttp(`http://127.0.0.1:${port}`);
const body = { topic: 'Durable execution', sourceUrl: 'https://example.com/article' };
const post = () => http.call('POST', '/research', 202, body);
await runLoad('warm-up', { concurrency: 16, count: 2_000, maxMs: 30_000 }, post);
const bytesBefore = logBytes;
const result = await runLoad('POST /research', { concurrency: 16, count: 10_000, maxMs: 60_000 }, post);
const bytesPerRequest = (logBytes - bytesBefore) / result.calls;
http.close();
child.send('close');
await once(child, 'exit');

const summary: Record<string, unknown> = { ...result, logBytesPerRequest: Math.round(bytesPerRequest) };
if (profileDir) {
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'))!;
  const { nodes, samples } = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
  };
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const isLogging = (node: ProfileNode): boolean =>
    /node_modules\/(pino|@pinojs|sonic-boom|pino-std-serializers|fast-redact|safe-stable-stringify)\//.test(
      node.callFrame.url,
    ) || /\/src\/plugins\/access-log\.ts$|\/src\/logger\.ts$|log-redact\.ts$/.test(node.callFrame.url);
  // A sample counts as logging when any frame on its stack is logging code (its writes to stdout included).
  const loggingStack = new Map<number, boolean>();
  const inLogging = (id: number): boolean => {
    const known = loggingStack.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const parentId = parent.get(id);
    const value = isLogging(node) || (parentId !== undefined && inLogging(parentId));
    loggingStack.set(id, value);
    return value;
  };
  let busy = 0;
  let logging = 0;
  for (const id of samples) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    busy += 1;
    if (inLogging(id)) logging += 1;
  }
  summary.busySamples = busy;
  summary.loggingShareOfBusy = Number((logging / busy).toFixed(3));
  summary.profile = join(profileDir, file);
}
console.log(JSON.stringify(summary));
