// The settings of scripts/start.mjs, read from the environment. Kept apart from the launcher so tests can check
// them without starting anything.
import { join, resolve } from 'node:path';

/** An empty (or blank) value counts as unset, as everywhere else in the project. */
function setting(env, name) {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function integer(env, name, fallback, min, max, errors) {
  const raw = setting(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    errors.push(`${name}: expected an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

/**
 * Reads the launcher's settings from `env`; relative directories resolve against `root`.
 * @throws Error naming every variable with a bad value.
 */
export function launcherSettings(env, root) {
  const errors = [];
  const temporalPort = integer(env, 'TEMPORAL_PORT', 7233, 1, 65535, errors);
  const stopGraceMs = integer(env, 'STOP_GRACE_MS', 20_000, 0, 3_600_000, errors);
  if (errors.length > 0) throw new Error(`Invalid configuration:\n  ${errors.join('\n  ')}`);
  const dataDir = setting(env, 'DATA_DIR') ?? '.data';
  const bundlePath = setting(env, 'WORKFLOW_BUNDLE_PATH');
  return {
    temporalPort,
    stopGraceMs,
    temporalDataDir: resolve(root, setting(env, 'TEMPORAL_DATA_DIR') ?? join(dataDir, 'temporal')),
    temporalAddress: setting(env, 'TEMPORAL_ADDRESS'),
    // Without a bundle of its own the worker would run webpack in-process and keep its memory (~700 MB) for good:
    // the launcher builds one in a short-lived child first.
    workflowBundlePath: resolve(root, bundlePath ?? join(dataDir, 'workflow-bundle.js')),
    buildWorkflowBundle: bundlePath === undefined,
  };
}
