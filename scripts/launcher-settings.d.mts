export interface LauncherSettings {
  temporalPort: number;
  stopGraceMs: number;
  /** Absolute path. */
  temporalDataDir: string;
  /** Unset (or empty) means `npm start` runs the embedded server. */
  temporalAddress: string | undefined;
  /** Absolute path of the workflow bundle the worker loads: WORKFLOW_BUNDLE_PATH, else `$DATA_DIR/workflow-bundle.js`. */
  workflowBundlePath: string;
  /** True when WORKFLOW_BUNDLE_PATH is unset: `npm start` builds the bundle before it starts the worker. */
  buildWorkflowBundle: boolean;
}

export function launcherSettings(env: Record<string, string | undefined>, root: string): LauncherSettings;
