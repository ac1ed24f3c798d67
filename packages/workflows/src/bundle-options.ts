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
 * Modules evaluated once per workflow thread and shared by every workflow in it, instead of once per workflow
 * (the SDK's reusable V8 context gives each workflow its own copy of every other module). `@research/contracts`
 * builds its zod request schemas when it loads; per workflow that was most of a new workflow's first task and
 * ~1.9 MB of each cached workflow's memory (README "Performance"). Workflows only read it: constants, pure
 * functions and schemas they never call. The SDK deep-freezes shared modules, so a later change that keeps state
 * there fails loudly instead of leaking it between workflows. Evaluating a module earlier changes no command, so
 * recorded histories replay unchanged.
 */
export const WORKFLOW_PRELOAD_MODULES: readonly string[] = ['@research/contracts'];

/**
 * The OpenTelemetry sink of a worker with tracing off: it drops the spans. It is registered anyway, since a
 * workflow calling an unregistered sink logs an error on every workflow task.
 */
export const UNTRACED_SPAN_SINKS: InjectedSinks<OpenTelemetrySinks> = {
  exporter: { export: { fn: () => undefined } },
};

/**
 * The production bundle options for the workflows at `workflowsPath` (their TypeScript sources or compiled
 * `dist/`): {@link WORKFLOW_INTERCEPTOR_MODULES} compiled in, {@link WORKFLOW_PRELOAD_MODULES} shared, and sources
 * resolved with {@link withSourceCondition}.
 */
export function workflowBundleOptions(
  workflowsPath: string,
): Pick<BundleOptions, 'workflowsPath' | 'workflowInterceptorModules' | 'preloadModules' | 'webpackConfigHook'> {
  return {
    workflowsPath,
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
    preloadModules: [...WORKFLOW_PRELOAD_MODULES],
    ...(workflowsPath.endsWith('.ts') ? { webpackConfigHook: withSourceCondition } : {}),
  };
}
