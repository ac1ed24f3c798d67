// Runs on the extraction pool's worker threads (see html-extractor.ts): the only code that parses untrusted HTML.
// It imports nothing from other workspace packages so that it loads the same way from sources and from dist/.
import { extractTitle, htmlToReadableText } from './html-to-text.js';
import type { MessagePort } from 'node:worker_threads';
import { decodeText } from './read-body.js';

export interface ExtractTask {
  /** The page's bytes, already cut to the HTML byte cap. */
  bytes: Uint8Array;
  /** Charset named by the Content-Type header, if any. */
  charset: string | undefined;
  /** Told when the conversion starts: its time limit runs from then, not from when it was queued. */
  started: MessagePort;
}

export interface ExtractResult {
  text: string;
  title: string | null;
}

export default function extract({ bytes, charset, started }: ExtractTask): ExtractResult {
  // Delivered even if this thread then never yields: a port's messages do not wait for its event loop.
  started.postMessage(null);
  started.close();
  const html = decodeText(bytes, charset);
  return { text: htmlToReadableText(html), title: extractTitle(html) };
}
