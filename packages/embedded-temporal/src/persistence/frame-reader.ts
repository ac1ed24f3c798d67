import { crc32 } from './crc32.js';
import { FRAME_HEADER_BYTES, MAX_PAYLOAD_BYTES } from './record-codec.js';
import type { StoreFile } from './store-fs.js';

const CHUNK_BYTES = 1 << 20;

export interface ScanResult {
  /** Offset just past the last intact frame. */
  validEnd: number;
  fileSize: number;
}

/**
 * Calls `onPayload` for each intact frame from `start` (default the beginning of `file`), stopping at the first frame that is
 * incomplete, has an impossible length, or fails its CRC: after a crash that is where a torn write begins.
 * The payload buffer is only valid during the callback.
 */
export async function scanFrames(
  file: StoreFile,
  onPayload: (payload: Buffer) => void,
  start = 0,
): Promise<ScanResult> {
  const fileSize = await file.size();
  let window = Buffer.alloc(0);
  let windowStart = 0;
  // Makes bytes [offset, offset + n) available in `window`; the caller has checked they exist in the file.
  const ensure = async (offset: number, n: number): Promise<void> => {
    if (offset >= windowStart && offset + n <= windowStart + window.length) return;
    const length = Math.min(Math.max(n, CHUNK_BYTES), fileSize - offset);
    const next = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const read = await file.read(next.subarray(got), offset + got, length - got);
      if (read === 0) break;
      got += read;
    }
    window = next.subarray(0, got);
    windowStart = offset;
  };
  let pos = start;
  while (pos + FRAME_HEADER_BYTES <= fileSize) {
    await ensure(pos, FRAME_HEADER_BYTES);
    const at = pos - windowStart;
    if (window.length < at + FRAME_HEADER_BYTES) break;
    const length = window.readUInt32LE(at);
    const expectedCrc = window.readUInt32LE(at + 4);
    if (length === 0 || length > MAX_PAYLOAD_BYTES || pos + FRAME_HEADER_BYTES + length > fileSize) break;
    await ensure(pos, FRAME_HEADER_BYTES + length);
    const start = pos - windowStart + FRAME_HEADER_BYTES;
    if (window.length < start + length) break;
    if (crc32(window, start, start + length) !== expectedCrc) break;
    onPayload(window.subarray(start, start + length));
    pos += FRAME_HEADER_BYTES + length;
  }
  return { validEnd: pos, fileSize };
}
