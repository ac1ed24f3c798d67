export interface LauncherSettings {
  temporalPort: number;
  stopGraceMs: number;
  /** Absolute path. */
  temporalDataDir: string;
  /** Unset (or empty) means `npm start` runs the embedded server. */
  temporalAddress: string | undefined;
}

export function launcherSettings(env: Record<string, string | undefined>, root: string): LauncherSettings;
