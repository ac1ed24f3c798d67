import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ExtractConfig } from './config.js';
import type { ExtractResult, ExtractTask } from './html-extract-worker.js';

// The worker module sits beside this one: .ts when run from sources by tsx (which worker threads inherit through
// `--import tsx` in execArgv), .js in dist/.
const WORKER_FILE = fileURLToPath(
  new URL(`./html-extract-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

// Heap of one conversion thread: a parsed page of HTML_EXTRACT_MAX_BYTES needs far less; a thread past it dies alone.
const MAX_HEAP_MB = 512;
// Threads start with the first conversion and exit after this long without one: each holds some 20-45 MB (more
// from sources, where it loads tsx), and a worker waiting for approvals converts nothing. Idle threads are unref'd,
// so they never hold the process open.
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** Why a conversion produced no text; `fetchSource` maps each onto a failure type. */
export class HtmlExtractionError extends Error {
  override readonly name = 'HtmlExtractionError';
  constructor(
    readonly reason: 'timeout' | 'crashed',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface ExtractedPage extends ExtractResult {
  /** True when the page was longer than `maxHtmlBytes` and only its start was parsed. */
  truncated: boolean;
}

/** Converts HTML to readable text off the caller's thread. Create with {@link createHtmlExtractor}. */
export interface HtmlExtractor {
  /**
   * The readable text and title (see `htmlToReadableText`) of an HTML page given as bytes in `charset`, decoded and
   * converted on a pool thread.
   *
   * @throws HtmlExtractionError `timeout` when the conversion ran past `timeoutMs` from its start (its thread is
   *   terminated and replaced; time waiting for a free thread does not count), `crashed` when the thread died (out
   *   of memory, stack overflow). When `signal` aborts first, its reason is thrown.
   */
  extract(bytes: Uint8Array, charset: string | undefined, signal?: AbortSignal): Promise<ExtractedPage>;
  /** Threads running now: none before the first conversion, nor once every thread was idle for `idleTimeoutMs`. */
  readonly threads: number;
  /** Stops the threads at once; pending conversions are rejected. The worker calls it when it shuts down. */
  close(): Promise<void>;
}

export interface HtmlExtractorOptions extends ExtractConfig {
  /** How long a thread may stay idle before it exits; default 30 s. */
  idleTimeoutMs?: number;
}

/**
 * A pool of worker threads for HTML conversion, so that one hostile page can never block the event loop that runs
 * the other activities and their heartbeats. Owned by whoever creates it: `close()` it when done.
 */
export function createHtmlExtractor(options: HtmlExtractorOptions): HtmlExtractor {
  const pool = new Piscina<ExtractTask, ExtractResult>({
    filename: WORKER_FILE,
    minThreads: 0,
    maxThreads: options.threads,
    idleTimeout: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    resourceLimits: { maxOldGenerationSizeMb: MAX_HEAP_MB },
  });
  return {
    async extract(bytes, charset, signal) {
      const truncated = bytes.length > options.maxHtmlBytes;
      // A copy of just the bytes parsed, moved to the thread: cloning a view would copy its whole buffer.
      const copy = new Uint8Array(bytes.subarray(0, Math.min(bytes.length, options.maxHtmlBytes)));
      const { port1, port2 } = new MessageChannel();
      const overtime = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      port1.once('message', () => {
        timer = setTimeout(() => overtime.abort(), options.timeoutMs);
      });
      const abort = signal === undefined ? overtime.signal : AbortSignal.any([signal, overtime.signal]);
      const task: ExtractTask = { bytes: copy, charset, started: port2 };
      try {
        // Aborting a running task makes piscina terminate its thread; the pool starts a new one when needed.
        return { ...(await pool.run(task, { signal: abort, transferList: [copy.buffer, port2] })), truncated };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (overtime.signal.aborted) {
          throw new HtmlExtractionError('timeout', `HTML conversion ran longer than ${options.timeoutMs} ms`);
        }
        const cause = error instanceof Error ? error : new Error(String(error));
        throw new HtmlExtractionError('crashed', `HTML conversion failed: ${cause.message}`, { cause });
      } finally {
        clearTimeout(timer);
        port1.close();
      }
    },
    get threads() {
      return pool.threads.length;
    },
    close: () => pool.destroy(),
  };
}
