import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkerOptions } from '@temporalio/worker';
import {
  WORKFLOW_INTERCEPTOR_MODULES,
  WORKFLOW_PRELOAD_MODULES,
  withSourceCondition,
} from '@research/workflows/bundle-options';

// The bundle options live with the workflows (`@research/workflows/bundle-options`), so the history recorder and
// the tests bundle exactly what the worker runs.
export { WORKFLOW_INTERCEPTOR_MODULES, withSourceCondition };

/** Where `build:bundle` writes the prebuilt workflow bundle (the same path from `src/` and `dist/`). */
export const DEFAULT_BUNDLE_PATH = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));

/** Whether this module runs from TypeScript sources (tsx, `--conditions=source`) rather than compiled `dist/`. */
const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The workflow module's entry file, resolved the way this process resolves packages. */
export function workflowsEntryPath(): string {
  return fileURLToPath(import.meta.resolve('@research/workflows'));
}

export type WorkflowSource =
  | { kind: 'bundle'; options: Pick<WorkerOptions, 'workflowBundle'>; path: string; workflowModules: [] }
  | {
      kind: 'path';
      options: Pick<WorkerOptions, 'workflowsPath' | 'bundlerOptions'>;
      path: string;
      /** For `interceptors.workflowModules`: bundled with the workflows at start-up. */
      workflowModules: string[];
    };

/**
 * Picks how the worker loads workflow code:
 * 1. `bundlePath` (WORKFLOW_BUNDLE_PATH) when given; it must exist.
 * 2. From compiled `dist/`, the prebuilt {@link DEFAULT_BUNDLE_PATH} when `build:bundle` produced it.
 * 3. Otherwise `@research/workflows`, bundled at start-up (a few seconds), from sources when running from sources.
 * Bundles made by `build:bundle` contain {@link WORKFLOW_INTERCEPTOR_MODULES} and preload {@link WORKFLOW_PRELOAD_MODULES};
 * bundling at start-up does the same.
 *
 * @throws Error when `bundlePath` is given but does not exist.
 */
export function resolveWorkflowSource(bundlePath: string | undefined): WorkflowSource {
  if (bundlePath !== undefined) {
    if (!existsSync(bundlePath)) throw new Error(`WORKFLOW_BUNDLE_PATH ${bundlePath} does not exist`);
    return {
      kind: 'bundle',
      options: { workflowBundle: { codePath: bundlePath } },
      path: bundlePath,
      workflowModules: [],
    };
  }
  if (!RUNNING_FROM_SOURCE && existsSync(DEFAULT_BUNDLE_PATH)) {
    return {
      kind: 'bundle',
      options: { workflowBundle: { codePath: DEFAULT_BUNDLE_PATH } },
      path: DEFAULT_BUNDLE_PATH,
      workflowModules: [],
    };
  }
  const workflowsPath = workflowsEntryPath();
  const fromSource = workflowsPath.endsWith('.ts');
  return {
    kind: 'path',
    options: {
      workflowsPath,
      bundlerOptions: {
        preloadModules: [...WORKFLOW_PRELOAD_MODULES],
        ...(fromSource ? { webpackConfigHook: withSourceCondition } : {}),
      },
    },
    path: workflowsPath,
    workflowModules: [...WORKFLOW_INTERCEPTOR_MODULES],
  };
}
