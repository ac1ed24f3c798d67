import { readFileSync } from 'node:fs';
import { z } from 'zod';

const optionalText = z.string().min(1).optional();

/**
 * The Temporal connection variables, named as Temporal's own environment configuration names them
 * (`TEMPORAL_ADDRESS`, `TEMPORAL_TLS_CLIENT_CERT_PATH`, …), so settings written for the Temporal CLI work here.
 * A plain `z.object`: apps `.extend(...)` it and add {@link checkTemporalEnv} as a refinement.
 */
export const temporalEnvSchema = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'must be host:port, e.g. 127.0.0.1:7233')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_API_KEY: optionalText,
  TEMPORAL_TLS: z.stringbool().optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalText,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalText,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalText,
  TEMPORAL_TLS_SERVER_NAME: optionalText,
});
export type TemporalEnv = z.infer<typeof temporalEnvSchema>;

/** An API key or a certificate means TLS (Temporal Cloud needs it), unless `TEMPORAL_TLS` says otherwise. */
function impliesTls(env: TemporalEnv): boolean {
  return (
    env.TEMPORAL_API_KEY !== undefined ||
    env.TEMPORAL_TLS_CLIENT_CERT_PATH !== undefined ||
    env.TEMPORAL_TLS_SERVER_CA_CERT_PATH !== undefined
  );
}

/** Cross-field rules of {@link temporalEnvSchema}; use with `.superRefine(checkTemporalEnv)`. */
export function checkTemporalEnv(env: TemporalEnv, ctx: z.RefinementCtx): void {
  if ((env.TEMPORAL_TLS_CLIENT_CERT_PATH === undefined) !== (env.TEMPORAL_TLS_CLIENT_KEY_PATH === undefined)) {
    ctx.addIssue({
      code: 'custom',
      message: 'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH must be set together',
      path: ['TEMPORAL_TLS_CLIENT_KEY_PATH'],
    });
  }
  if (env.TEMPORAL_TLS === false && impliesTls(env)) {
    ctx.addIssue({
      code: 'custom',
      message: 'TEMPORAL_TLS=false contradicts a TLS certificate or API key setting',
      path: ['TEMPORAL_TLS'],
    });
  }
}

/** Where the TLS material lives; files are read by {@link temporalConnectionOptions} when connecting. */
export interface TemporalTlsSettings {
  serverName: string | undefined;
  serverCaCertPath: string | undefined;
  clientCertPath: string | undefined;
  clientKeyPath: string | undefined;
}

export interface TemporalSettings {
  address: string;
  namespace: string;
  apiKey: string | undefined;
  /** `false` for plaintext. */
  tls: TemporalTlsSettings | false;
}

/**
 * Turns parsed variables into connection settings. TLS is on when `TEMPORAL_TLS` says so, or, when unset,
 * when an API key or a certificate is configured (Temporal Cloud needs TLS).
 */
export function temporalSettingsFromEnv(env: TemporalEnv): TemporalSettings {
  const tlsEnabled = env.TEMPORAL_TLS ?? impliesTls(env);
  return {
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    apiKey: env.TEMPORAL_API_KEY,
    tls: tlsEnabled
      ? {
          serverName: env.TEMPORAL_TLS_SERVER_NAME,
          serverCaCertPath: env.TEMPORAL_TLS_SERVER_CA_CERT_PATH,
          clientCertPath: env.TEMPORAL_TLS_CLIENT_CERT_PATH,
          clientKeyPath: env.TEMPORAL_TLS_CLIENT_KEY_PATH,
        }
      : false,
  };
}

/** TLS options in the shape both `Connection` (client) and `NativeConnection` (worker) accept. */
export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

/** Options for `Connection.connect`/`Connection.lazy` and `NativeConnection.connect`. */
export interface TemporalConnectionOptions {
  address: string;
  apiKey?: string;
  tls: TemporalTls | false;
}

/**
 * Builds connection options from settings, reading the certificate files.
 *
 * @throws Error naming the variable when a certificate file cannot be read.
 */
export function temporalConnectionOptions(settings: TemporalSettings): TemporalConnectionOptions {
  return {
    address: settings.address,
    ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
    tls: settings.tls === false ? false : readTls(settings.tls),
  };
}

function readTls(settings: TemporalTlsSettings): TemporalTls {
  const tls: TemporalTls = {};
  if (settings.serverName) tls.serverNameOverride = settings.serverName;
  if (settings.serverCaCertPath) {
    tls.serverRootCACertificate = readSetting('TEMPORAL_TLS_SERVER_CA_CERT_PATH', settings.serverCaCertPath);
  }
  if (settings.clientCertPath && settings.clientKeyPath) {
    tls.clientCertPair = {
      crt: readSetting('TEMPORAL_TLS_CLIENT_CERT_PATH', settings.clientCertPath),
      key: readSetting('TEMPORAL_TLS_CLIENT_KEY_PATH', settings.clientKeyPath),
    };
  }
  return tls;
}

function readSetting(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`${variable}: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}
