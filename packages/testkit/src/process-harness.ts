import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** How a managed process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnTypeScriptOptions {
  /** Short label used in error messages and the echoed output prefix. */
  name: string;
  /** Absolute path of the TypeScript entry point, run through tsx with the workspace `source` condition. */
  entry: string;
  args?: readonly string[];
  /** Added to the parent's environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Echo the child's output to this process's stderr, prefixed with its name. Defaults to `TEST_ECHO_PROCESSES`. */
  echo?: boolean;
}

/**
 * A child process the test owns: its output is captured, it can be waited on, killed and restarted,
 * and {@link ProcessGroup.stopAll} guarantees nothing outlives the test.
 */
export class ManagedProcess {
  readonly name: string;
  readonly exited: Promise<ProcessExit>;
  #child: ChildProcess;
  #output = '';
  #exit: ProcessExit | undefined;
  #listeners = new Set<() => void>();

  constructor(options: SpawnTypeScriptOptions) {
    this.name = options.name;
    const echo = options.echo ?? process.env.TEST_ECHO_PROCESSES === 'true';
    this.#child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', options.entry, ...(options.args ?? [])],
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.#output += text;
      if (echo) process.stderr.write(text.replace(/^(?=.)/gm, `[${this.name}] `));
      for (const listener of this.#listeners) listener();
    };
    this.#child.stdout?.on('data', onData);
    this.#child.stderr?.on('data', onData);
    this.exited = once(this.#child, 'exit').then(([code, signal]) => {
      this.#exit = { code: code as number | null, signal: signal as NodeJS.Signals | null };
      for (const listener of this.#listeners) listener();
      return this.#exit;
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** Everything the process wrote to stdout and stderr so far. */
  get output(): string {
    return this.#output;
  }

  /** Resolves with the first match of `pattern` in the output; rejects on timeout or when the process exits first. */
  waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.#output.match(pattern);
        if (match) return finish(() => resolve(match));
        if (this.#exit) {
          finish(() =>
            reject(
              new Error(
                `${this.name} exited (${describeExit(this.#exit!)}) before printing ${pattern}\n${this.tail()}`,
              ),
            ),
          );
        }
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms\n${this.tail()}`)),
          ),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        settle();
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** Sends `signal` and waits for the exit. SIGKILL is the crash the fault tests simulate. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ProcessExit> {
    if (this.#exit) return this.#exit;
    this.#child.kill(signal);
    return this.exited;
  }

  /** Graceful stop: SIGTERM, then SIGKILL when the process has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<ProcessExit> {
    if (this.#exit) return this.#exit;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last lines of output, for failure messages. */
  tail(lines = 40): string {
    return this.#output.split('\n').slice(-lines).join('\n');
  }
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** Owns every process a test starts, so one `stopAll()` in `after` cleans up whatever happened. */
export class ProcessGroup {
  readonly #processes = new Set<ManagedProcess>();

  start(options: SpawnTypeScriptOptions): ManagedProcess {
    const child = new ManagedProcess(options);
    this.#processes.add(child);
    void child.exited.then(() => this.#processes.delete(child));
    return child;
  }

  async stopAll(graceMs = 5_000): Promise<void> {
    await Promise.all([...this.#processes].map((child) => child.stop(graceMs)));
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1, for processes that must keep their port across restarts. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not determine a free port');
  return address.port;
}
