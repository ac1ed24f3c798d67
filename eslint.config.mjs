// ESLint flat config: type-aware typescript-eslint rules, import cycles, and determinism rules for the code that
// Temporal bundles into its workflow sandbox.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Modules that do I/O or reach outside the workflow sandbox. Workflow code talks to the world only through
// activities, so importing any of these from it is a determinism bug (or a sandbox load failure at worker start).
const IO_MODULES = [
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/testing',
  '@electric-sql/pglite',
  'pg',
  'openai',
  'undici',
  'html-to-text',
  'pino',
  'fastify',
  '@research/activities',
  '@research/config',
  '@research/embedded-temporal',
];

// The no-unsafe-* family, for code that reads untyped JSON or protobuf records; each use says why.
const UNTYPED_VALUES_ALLOWED = {
  '@typescript-eslint/no-unsafe-member-access': 'off',
  '@typescript-eslint/no-unsafe-assignment': 'off',
  '@typescript-eslint/no-unsafe-argument': 'off',
  '@typescript-eslint/no-unsafe-return': 'off',
  '@typescript-eslint/no-unsafe-call': 'off',
  '@typescript-eslint/no-unsafe-enum-comparison': 'off',
};

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/.data/**', '**/.tmp/**', '**/coverage/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: {
          // Plain-JS scripts and this config are outside every tsconfig; lint them without type information.
          allowDefaultProject: ['*.mjs', 'scripts/*.mjs', 'packages/*/scripts/*.mjs', 'packages/*/bench/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.mts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test reports a test's failure itself; awaiting test() and describe() is not how it is used.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      // Off: an async function that implements a Promise-returning interface need not await anything;
      // no-floating-promises and no-misused-promises catch the mistakes this rule stands in for.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/test/**/*.ts', 'test/**/*.ts', '**/bench/**/*.ts'],
    rules: {
      // Off in tests: they read HTTP and gRPC JSON bodies as `any` and assert on them, so a wrong shape fails the
      // assertion that reads it; typing every body would only restate the assertions.
      ...UNTYPED_VALUES_ALLOWED,
      '@typescript-eslint/no-explicit-any': 'off',
      // Off in tests: node:test's mock.method() and activity stubs are passed around as plain functions.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The reviewer inbox's browser modules, served as written (no build step, so no TypeScript project): checked
    // without type information, against the browser's globals instead of Node's.
    files: ['apps/api/inbox/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { ...globals.browser } },
  },
  {
    // Bundled into Temporal's deterministic workflow sandbox: contracts ride along with the workflows.
    files: ['packages/workflows/src/**/*.ts', 'packages/contracts/src/**/*.ts'],
    rules: {
      'import-x/no-nodejs-modules': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: IO_MODULES.map((name) => ({
            name,
            message: 'Workflow code must stay deterministic: do I/O in an activity.',
          })),
          patterns: [{ group: ['node:*'], message: 'Node built-ins are not available in the workflow sandbox.' }],
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Use uuid4() from @temporalio/workflow, so randomness is visibly the SDK-seeded kind.',
        },
        {
          object: 'Date',
          property: 'now',
          message: 'Read workflow time as new Date() inside workflow code; it is the SDK-replayed clock.',
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflow code cannot read the environment; pass it in the workflow input.' },
        { name: 'fetch', message: 'Workflow code must stay deterministic: do I/O in an activity.' },
        { name: 'setInterval', message: 'Use sleep() or condition() from @temporalio/workflow.' },
      ],
    },
  },
  {
    // Tells the bundler what goes into the sandbox and runs in Node (the worker, the history recorder); the
    // workflow entry (index.ts) does not import it, so none of it is bundled.
    files: ['packages/workflows/src/bundle-options.ts'],
    rules: {
      // Off: it resolves module paths with node:url for the bundler.
      'import-x/no-nodejs-modules': 'off',
      // Off: it imports the worker's types only, and resolves (never imports) the interceptor module.
      'no-restricted-imports': 'off',
    },
  },
);
