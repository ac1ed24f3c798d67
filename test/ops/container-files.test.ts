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

describe('container hardening', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, Record<string, unknown> & { environment?: Record<string, unknown> }>;
  };
  const service = (name: string) => {
    const found = compose.services[name];
    assert.ok(found, `service ${name} is missing`);
    return found;
  };

  test('the image runs the current Node.js LTS line (24), pinned to an exact slim release', () => {
    const dockerfile = read('Dockerfile');
    const version = /^ARG NODE_VERSION=(\S+)$/m.exec(dockerfile)?.[1];
    assert.match(String(version), /^24\.\d+\.\d+$/, 'ARG NODE_VERSION must be an exact 24.x.y release');
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    assert.ok(bases.length >= 2);
    for (const base of bases) assert.match(String(base), /^node:\$\{NODE_VERSION\}-[a-z]+-slim$/);
  });

  test('the database passwords have no default: compose refuses to start without them', () => {
    const text = read('docker-compose.yml');
    for (const secret of ['POSTGRES_PASSWORD', 'RESEARCH_DB_PASSWORD']) {
      assert.doesNotMatch(text, new RegExp(`\\$\\{${secret}(:?-|\\})`), `${secret} has a default or may be empty`);
      assert.match(text, new RegExp(`\\$\\{${secret}:\\?`), `${secret} is not required`);
    }
    assert.match(String(service('postgresql').environment?.POSTGRES_PASSWORD), /^\$\{POSTGRES_PASSWORD:\?/);
  });

  test('the worker connects as a role that is not a superuser, created by an init script of the postgres container', () => {
    const postgres = service('postgresql');
    const volumes = (postgres.volumes ?? []) as string[];
    const init = volumes.find((volume) => volume.split(':')[1] === '/docker-entrypoint-initdb.d');
    assert.ok(init, 'no init scripts mounted at /docker-entrypoint-initdb.d');
    const dir = init.split(':')[0]!.replace(/^\.\//, '');
    const script = read(`${dir}/10-research-app.sh`);
    assert.match(script, /CREATE ROLE :"app_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE/);
    assert.match(script, /CREATE DATABASE research OWNER :"app_user"/);
    const url = String(service('worker').environment?.DATABASE_URL);
    assert.match(
      url,
      /^postgres:\/\/\$\{RESEARCH_DB_USER:-research\}:\$\{RESEARCH_DB_PASSWORD:\?[^}]*\}@postgresql:5432\/research$/,
    );
    assert.equal(postgres.environment?.RESEARCH_DB_USER, '${RESEARCH_DB_USER:-research}');
  });

  test('the Temporal UI has write actions off unless .env turns them on', () => {
    assert.match(String(service('temporal-ui').environment?.TEMPORAL_DISABLE_WRITE_ACTIONS), /^\$\{\w+:-true\}$/);
  });

  test('the api and worker containers are read-only, drop every capability and cannot gain privileges', () => {
    for (const name of ['api', 'worker']) {
      const app = service(name);
      assert.equal(app.read_only, true, `${name} is not read_only`);
      assert.deepEqual(app.cap_drop, ['ALL'], `${name} keeps capabilities`);
      assert.ok(
        (app.security_opt as string[] | undefined)?.includes('no-new-privileges:true'),
        `${name}: no-new-privileges`,
      );
    }
  });

  test('each service gets only its own secrets: the API sees no LLM key and no database password', () => {
    const owners: Record<string, string[]> = {
      OPENAI_API_KEY: ['worker'],
      POSTGRES_PASSWORD: ['postgresql', 'temporal-schema', 'temporal'],
      RESEARCH_DB_PASSWORD: ['postgresql', 'worker'],
      WEBHOOK_SECRET: ['worker'],
    };
    for (const [name, definition] of Object.entries(compose.services)) {
      // env_file hands a service every variable of .env, secrets included.
      assert.equal(definition.env_file, undefined, `${name} reads the whole .env file`);
      const text = JSON.stringify(definition);
      for (const [secret, allowed] of Object.entries(owners)) {
        assert.equal(text.includes(`\${${secret}`), allowed.includes(name), `${name} and ${secret}`);
      }
    }
  });
});
