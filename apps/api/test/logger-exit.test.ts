import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const BURST = fileURLToPath(new URL('./log-burst.ts', import.meta.url));
const LINES = 5_000;

/** Runs log-burst.ts and returns its stdout lines once it exited; stdout is a pipe, as under a launcher. */
async function burst(how: string): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BURST, how, String(LINES)], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const [code] = (await once(child, 'close')) as [number | null];
  return {
    code,
    lines: stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function assertAllWritten(lines: Record<string, unknown>[], lastMessage: string): void {
  const indexes = lines.filter((line) => line.msg === 'burst').map((line) => line.index);
  assert.deepEqual(
    indexes,
    Array.from({ length: LINES }, (_, index) => index),
  );
  assert.equal(lines.at(-1)?.msg, lastMessage);
}

// The logger writes to stdout asynchronously; these show that nothing written before the process ends is lost.
describe('API logger on exit', () => {
  test('writes every line, the fatal one last, when the process exits right after logging', async () => {
    const { code, lines } = await burst('exit');
    assert.equal(code, 1);
    assertAllWritten(lines, 'last line');
  });

  test('writes every line and the fatal line of an unhandled rejection', async () => {
    const { code, lines } = await burst('rejection');
    assert.equal(code, 1);
    assertAllWritten(lines, 'unhandled rejection');
  });

  test('writes every line before an uncaught exception ends the process', async () => {
    const { code, lines } = await burst('throw');
    assert.equal(code, 1);
    assertAllWritten(lines, 'burst');
  });
});
