// Summarises a V8 .cpuprofile (e.g. from `throughput.bench.ts --profile DIR`): top functions by self time,
// self time per file, and optionally the callers of matching functions.
// Run: node --import tsx packages/embedded-temporal/bench/cpuprofile-top.ts FILE [top=30] [callers-of-substring...]
// tsx runs .ts files as one-line esbuild output, so for .ts frames the line is mapped back to the source by
// re-running esbuild with tsx's options and reading its source map (marked `~` when that was not possible).
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const file = process.argv[2];
if (!file) {
  console.error('usage: cpuprofile-top.ts FILE [top]');
  process.exit(2);
}
const top = Number(process.argv[3] ?? 30);
const callersOf = process.argv.slice(4);
const depth = Number(process.env.CALLER_DEPTH ?? 4);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

type Transform = (code: string, options: Record<string, unknown>) => { code: string; map: string };
let transformSync: Transform | undefined;
try {
  const esbuild = (await import('esbuild')) as unknown as { transformSync: Transform };
  transformSync = esbuild.transformSync;
} catch {
  transformSync = undefined;
}
const maps = new Map<string, SourceMap | undefined>();
function sourceLine(url: string, line0: number, col0: number): string {
  if (!url.startsWith('file://') || !/\.[cm]?tsx?$/.test(url)) return String(line0 + 1);
  if (!maps.has(url)) {
    let map: SourceMap | undefined;
    const path = fileURLToPath(url);
    if (transformSync && existsSync(path)) {
      try {
        const out = transformSync(readFileSync(path, 'utf8'), {
          target: `node${process.versions.node}`,
          loader: 'ts',
          format: 'esm',
          sourcemap: true,
          minifyWhitespace: true,
          keepNames: true,
          sourcefile: path,
        });
        map = new SourceMap(JSON.parse(out.map) as ConstructorParameters<typeof SourceMap>[0]);
      } catch {
        map = undefined;
      }
    }
    maps.set(url, map);
  }
  const map = maps.get(url);
  if (!map) return `~${line0 + 1}`;
  const entry = map.findEntry(line0, col0) as { originalLine?: number };
  return entry.originalLine === undefined ? `~${line0 + 1}` : String(entry.originalLine + 1);
}

// Self time per node from samples + timeDeltas (more exact than hitCount × interval).
const selfUs = new Map<number, number>();
const samples = profile.samples ?? [];
const deltas = profile.timeDeltas ?? [];
for (let i = 0; i < samples.length; i++) {
  const dt = deltas[i + 1] ?? 0;
  selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, dt));
}
const totalUs = profile.endTime - profile.startTime;

const shortUrl = (url: string): string => {
  const cwd = `file://${process.cwd()}/`;
  if (url.startsWith(cwd)) return url.slice(cwd.length);
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm);
  return url || '(native)';
};

const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (us === 0) continue;
  const cf = node.callFrame;
  const where = cf.url ? `${shortUrl(cf.url)}:${sourceLine(cf.url, cf.lineNumber, cf.columnNumber)}` : '';
  const key = `${cf.functionName || '(anonymous)'}  ${where}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  const f = cf.url ? shortUrl(cf.url) : `(${cf.functionName})`;
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}

const idleUs = [...byFn].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
const busyUs = totalUs - idleUs;
const pct = (us: number): string => `${((us / totalUs) * 100).toFixed(1).padStart(5)}%`;
const ms = (us: number): string => `${(us / 1000).toFixed(0).padStart(7)} ms`;
console.log(`${file}: ${(totalUs / 1e6).toFixed(2)} s wall, ${(busyUs / 1e6).toFixed(2)} s busy (non-idle)`);
console.log(`\nTop ${top} functions by self time:`);
for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ${pct(v)}  ${k}`);
console.log(`\nTop ${top} files by self time:`);
for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ${pct(v)}  ${k}`);

// Callers: for every node whose function name contains one of the given substrings, the chain of its
// nearest three callers, weighted by the node's self time.
if (callersOf.length > 0) {
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node);
  const label = (n: ProfileNode): string => {
    const cf = n.callFrame;
    return `${cf.functionName || '(anonymous)'}${cf.url ? ` ${shortUrl(cf.url)}:${sourceLine(cf.url, cf.lineNumber, cf.columnNumber)}` : ''}`;
  };
  for (const needle of callersOf) {
    const chains = new Map<string, number>();
    for (const node of profile.nodes) {
      if (!node.callFrame.functionName.includes(needle)) continue;
      const us = selfUs.get(node.id) ?? 0;
      if (us === 0) continue;
      const chain: string[] = [];
      let p = parent.get(node.id);
      for (let i = 0; i < depth && p; i++, p = parent.get(p.id)) chain.push(label(p));
      const key = `${label(node)}\n      <- ${chain.join('\n      <- ')}`;
      chains.set(key, (chains.get(key) ?? 0) + us);
    }
    console.log(`\nCallers of *${needle}* (by self time of the callee):`);
    for (const [k, v] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`${ms(v)} ${pct(v)}  ${k}`);
  }
}
