// The production bundle really shares WORKFLOW_PRELOAD_MODULES: webpack drops a `require` whose module declares
// itself free of side effects and whose result is unused, and then every workflow would evaluate its own copy again
// without any error (a package.json gaining `"sideEffects": false` would do it).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { WORKFLOW_PRELOAD_MODULES } from '../src/bundle-options.js';
import { bundleResearchWorkflows } from './harness.js';

describe('workflow bundle options', () => {
  let code = '';
  before(async () => {
    ({ code } = await bundleResearchWorkflows());
  });

  it('preloads every shared module, under the module id the workflows import it by', () => {
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(code)?.[1];
    assert.ok(preload !== undefined, 'the bundle has no preloadModules function');
    for (const specifier of WORKFLOW_PRELOAD_MODULES) {
      const required = new RegExp(`__webpack_require__\\([^)]*/\\*! ${specifier} \\*/ "([^"]+)"\\)`).exec(preload);
      assert.ok(required, `${specifier} is not required by preloadModules:\n${preload}`);
      const moduleId = required[1]!;
      const importers = code.split(`/*! ${specifier} */ "${moduleId}")`).length - 1;
      assert.ok(importers > 1, `no workflow module imports ${specifier} as ${moduleId}`);
    }
  });
});
