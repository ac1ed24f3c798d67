import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// No Docker engine runs where the tests run, so these check the container files against the workspace itself.
const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(`${root}/${path}`, 'utf8');

describe('Dockerfile', () => {
  test('copies every workspace manifest before npm ci, so the install layer matches the lockfile', () => {
    const dockerfile = read('Dockerfile');
    const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;
    const beforeInstall = dockerfile.slice(0, dockerfile.indexOf('RUN npm ci'));
    for (const workspace of workspaces) {
      assert.ok(
        beforeInstall.includes(`COPY ${workspace}/package.json ${workspace}/`),
        `Dockerfile does not copy ${workspace}/package.json before npm ci`,
      );
    }
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, Record<string, unknown>> };

  test('runs the real Temporal stack next to the api and the worker, each with a healthcheck', () => {
    for (const service of ['postgresql', 'temporal', 'temporal-ui', 'api', 'worker']) {
      assert.ok(compose.services[service], `service ${service} is missing`);
    }
    for (const service of ['postgresql', 'temporal', 'api']) {
      assert.ok(compose.services[service]?.healthcheck, `service ${service} has no healthcheck`);
    }
  });
});
