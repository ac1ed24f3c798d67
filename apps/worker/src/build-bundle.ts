// `npm run build:bundle`: prebuilds the workflow bundle the production worker loads (no webpack at start-up).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundleOptions } from '@research/workflows/bundle-options';
import { DEFAULT_BUNDLE_PATH, workflowsEntryPath } from './workflow-source.js';

const { code } = await bundleWorkflowCode(workflowBundleOptions(workflowsEntryPath()));
const outputPath = process.argv[2] ?? DEFAULT_BUNDLE_PATH;
await mkdir(dirname(outputPath), { recursive: true });
await writeFile(outputPath, code);
console.log(`workflow bundle written to ${outputPath} (${(code.length / 1024).toFixed(0)} KiB)`);
