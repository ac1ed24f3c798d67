// `npm run build:bundle`: prebuilds the workflow bundle the production worker loads (no webpack at start-up).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import {
  DEFAULT_BUNDLE_PATH,
  WORKFLOW_INTERCEPTOR_MODULES,
  withSourceCondition,
  workflowsEntryPath,
} from './workflow-source.js';

const workflowsPath = workflowsEntryPath();
const { code } = await bundleWorkflowCode({
  workflowsPath,
  workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
  ...(workflowsPath.endsWith('.ts') ? { webpackConfigHook: withSourceCondition } : {}),
});
const outputPath = process.argv[2] ?? DEFAULT_BUNDLE_PATH;
await mkdir(dirname(outputPath), { recursive: true });
await writeFile(outputPath, code);
console.log(`workflow bundle written to ${outputPath} (${(code.length / 1024).toFixed(0)} KiB)`);
