import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessGroup, startFakeLlm, startFakeSite } from '@research/testkit';
import type { FakeLlm, FakeSite } from '@research/testkit';
import { Stack } from './stack.js';
import type { StackOptions } from './stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface StackWithFakes {
  stack: Stack;
  llm: FakeLlm;
  site: FakeSite;
  /** Stops every process and fake; call in `after`. */
  close(): Promise<void>;
}

/**
 * Builds the workflow bundle once (what the production image does), so the many worker restarts of a fault test
 * skip webpack. Runs as a child process like the worker itself.
 */
async function buildWorkflowBundle(processes: ProcessGroup, path: string): Promise<void> {
  const build = processes.start({ name: 'bundle', entry: join(root, 'apps/worker/src/build-bundle.ts'), args: [path] });
  const exit = await build.exited;
  if (exit.code !== 0)
    throw new Error(`building the workflow bundle failed (${exit.code ?? exit.signal})\n${build.tail()}`);
}

export interface StackWithFakesOptions {
  env?: StackOptions['env'];
  /** Runs the API with these callers' API keys; default `STACK_CALLERS` (see `Stack`). */
  callers?: StackOptions['callers'];
  /** Runs the API with no authentication (open mode on loopback), as the quick start does. */
  open?: boolean;
  /** `false` leaves every process stopped. */
  start?: boolean;
  /**
   * `true` (default): workers load a workflow bundle built once, as the production image does, so worker
   * restarts skip webpack. `false`: each worker bundles the workflow sources at start-up, as `npm start` does.
   */
  prebuiltBundle?: boolean;
}

/**
 * A fake LLM, a fake content site and a {@link Stack} wired to them. On failure everything already started is
 * closed before the error is rethrown.
 */
export async function startStackWithFakes(options: StackWithFakesOptions = {}): Promise<StackWithFakes> {
  const [llm, site] = await Promise.all([startFakeLlm(), startFakeSite()]);
  const builder = new ProcessGroup();
  const stack = await Stack.create({
    llmUrl: llm.url,
    env: options.env,
    ...(options.callers ? { callers: options.callers } : {}),
    ...(options.open ? { open: true } : {}),
  });
  const prebuilt = options.prebuiltBundle ?? true;
  const bundlePath = join(stack.dataDir, 'workflow-bundle.js');
  if (prebuilt) {
    // Stack reads options.env on every (re)start, so every worker gets the bundle.
    stack.options.env = {
      ...stack.options.env,
      worker: { ...stack.options.env?.worker, WORKFLOW_BUNDLE_PATH: bundlePath },
    };
  }
  const bundle = () => (prebuilt ? buildWorkflowBundle(builder, bundlePath) : Promise.resolve());
  const close = async (): Promise<void> => {
    await builder.stopAll();
    await stack.stop();
    await Promise.all([llm.close(), site.close()]);
  };
  try {
    if (options.start === false) {
      await bundle();
    } else {
      await Promise.all([bundle(), stack.startTemporal()]);
      await Promise.all([stack.startWorker(), stack.startApi()]);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { stack, llm, site, close };
}
