import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WORKFLOW_PRELOAD_MODULES, workflowBundleOptions } from '@research/workflows/bundle-options';
import { resolveWorkflowSource, withSourceCondition } from '../src/workflow-source.js';

test('uses the bundle named by WORKFLOW_BUNDLE_PATH', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'worker-bundle-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const codePath = join(dir, 'bundle.js');
  await writeFile(codePath, '// bundle');
  const source = resolveWorkflowSource(codePath);
  assert.equal(source.kind, 'bundle');
  assert.deepEqual(source.options, { workflowBundle: { codePath } });
});

test('fails when WORKFLOW_BUNDLE_PATH does not exist', () => {
  assert.throws(() => resolveWorkflowSource('/nonexistent/bundle.js'), /WORKFLOW_BUNDLE_PATH/);
});

test('bundles the workflow sources with the source condition when running from sources', () => {
  const source = resolveWorkflowSource(undefined);
  assert.equal(source.kind, 'path');
  assert.match(source.path, /packages\/workflows\/src\/index\.ts$/);
  assert.ok(source.kind === 'path' && source.options.bundlerOptions?.webpackConfigHook);
});

test('shares the preloaded modules between runs when bundling at start-up, as build:bundle does', () => {
  const source = resolveWorkflowSource(undefined);
  assert.ok(source.kind === 'path');
  assert.deepEqual(source.options.bundlerOptions?.preloadModules, [...WORKFLOW_PRELOAD_MODULES]);
  assert.deepEqual(workflowBundleOptions(source.path).preloadModules, [...WORKFLOW_PRELOAD_MODULES]);
});

test('puts the source condition first for webpack', () => {
  const config = withSourceCondition({ resolve: { extensions: ['.ts'] } });
  assert.deepEqual(config.resolve?.extensions, ['.ts']);
  assert.equal(config.resolve?.conditionNames?.[0], 'source');
});
