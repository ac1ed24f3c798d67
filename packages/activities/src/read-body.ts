import { pipeline, type Readable, type Transform } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

function decompressor(encoding: string): Transform | null | undefined {
  switch (encoding) {
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/** Stops reading a body we do not want; the abort error undici raises for it is expected and ignored. */
export function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

export class UnsupportedEncodingError extends Error {
  override readonly name = 'UnsupportedEncodingError';
}

/**
 * Reads at most `maxBytes` of a (possibly compressed) body and stops reading there; the cap applies to the
 * decompressed bytes so a small compressed body cannot expand without bound.
 */
export async function readCapped(
  body: Readable,
  contentEncoding: string,
  maxBytes: number,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const decoder = decompressor(contentEncoding.trim().toLowerCase());
  if (decoder === undefined) {
    discard(body);
    throw new UnsupportedEncodingError(`Unsupported content encoding "${contentEncoding}"`);
  }
  const stream: AsyncIterable<Buffer> = decoder === null ? body : pipeline(body, decoder, () => {});
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > maxBytes) {
      truncated = true;
      break; // leaving the loop destroys the stream: nothing past the cap is read
    }
  }
  if (decoder !== null) discard(body);
  const bytes = Buffer.concat(chunks);
  return { bytes: truncated ? bytes.subarray(0, maxBytes) : bytes, truncated };
}

/** Decodes with the charset the Content-Type names, falling back to UTF-8 for unknown or missing labels. */
export function decodeText(bytes: Uint8Array, charset: string | undefined): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(bytes);
}
