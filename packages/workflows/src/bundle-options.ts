// How the workflows are bundled for Temporal's sandbox: the options the production worker (apps/worker) bundles
// with, at start-up or in `build:bundle`, and that the history recorder and the tests bundle with too, so a
// recorded fixture is made by the code production runs. This module runs in Node, never in the sandbox (index.ts
// does not import it).
import { fileURLToPath } from 'node:url';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { BundleOptions, InjectedSinks } from '@temporalio/worker';

type WebpackConfiguration = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/**
 * Makes webpack resolve workspace packages to their TypeScript sources, as Node does under `--conditions=source`:
 * workflow code imports `@research/contracts`, whose `dist/` does not exist in development.
 */
export function withSourceCondition(config: WebpackConfiguration): WebpackConfiguration {
  config.resolve = { ...config.resolve, conditionNames: ['source', 'import', 'require', 'node', 'default'] };
  return config;
}

/**
 * Workflow interceptor modules compiled into every workflow bundle, whether tracing is on or off: OpenTelemetry's,
 * which traces workflow runs and passes the trace context on to activities in their headers. Histories recorded
 * before it existed replay with it, but it settles the approval update a few microtasks later, so a history
 * recorded with it replays only with it (apps/worker `test/tracing-replay.test.ts`): it must stay in every bundle.
 * Whoever runs such a bundle registers the span sink ({@link UNTRACED_SPAN_SINKS} with tracing off).
 */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [
  fileURLToPath(import.meta.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js')),
];

/**
 * The OpenTelemetry sink of a worker with tracing off: it drops the spans. It is registered anyway, since a
 * workflow calling an unregistered sink logs an error on every workflow task.
 */
export const UNTRACED_SPAN_SINKS: InjectedSinks<OpenTelemetrySinks> = {
  exporter: { export: { fn: () => undefined } },
};

/**
 * The production bundle options for the workflows at `workflowsPath` (their TypeScript sources or compiled
 * `dist/`): {@link WORKFLOW_INTERCEPTOR_MODULES} compiled in, and sources resolved with {@link withSourceCondition}.
 */
export function workflowBundleOptions(
  workflowsPath: string,
): Pick<BundleOptions, 'workflowsPath' | 'workflowInterceptorModules' | 'webpackConfigHook'> {
  return {
    workflowsPath,
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
    ...(workflowsPath.endsWith('.ts') ? { webpackConfigHook: withSourceCondition } : {}),
  };
}
