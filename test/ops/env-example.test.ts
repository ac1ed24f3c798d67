import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { launcherSettings } from '../../scripts/launcher-settings.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(`${root}/${path}`, 'utf8');

describe('.env.example', () => {
  const example = parseEnv(read('.env.example'));

  test('copied to .env as it is, npm start keeps the embedded server under .data/temporal with the defaults', () => {
    assert.deepEqual(launcherSettings(example, '/repo'), {
      temporalPort: 7233,
      stopGraceMs: 20_000,
      temporalDataDir: '/repo/.data/temporal',
      temporalAddress: undefined,
      workflowBundlePath: '/repo/.data/workflow-bundle.js',
      buildWorkflowBundle: true,
    });
  });

  test('lists every setting of the README configuration table (test-only hooks aside)', () => {
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Using the API'));
    const names = table
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]!));
    assert.ok(names.length > 30);
    const missing = names.filter((name) => !name.startsWith('TEST_ONLY_') && !(name in example));
    assert.deepEqual(missing, []);
  });

  test('calls OPENAI_API_KEY optional and says that npm start loads it', () => {
    const text = read('.env.example');
    assert.doesNotMatch(text, /Required by the worker/);
    assert.match(text, /Read by `npm start`/);
  });
});
