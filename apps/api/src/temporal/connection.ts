import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/client';
import { temporalTlsEnabled } from '../config.js';
import type { Config } from '../config.js';
import type { TemporalPort } from './ports.js';

function tlsConfig(config: Config): TLSConfig | false {
  if (!temporalTlsEnabled(config)) return false;
  const tls: TLSConfig = {};
  if (config.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = config.TEMPORAL_TLS_SERVER_NAME;
  if (config.TEMPORAL_TLS_CA_PATH) tls.serverRootCACertificate = readFileSync(config.TEMPORAL_TLS_CA_PATH);
  if (config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH) {
    tls.clientCertPair = {
      crt: readFileSync(config.TEMPORAL_TLS_CERT_PATH),
      key: readFileSync(config.TEMPORAL_TLS_KEY_PATH),
    };
  }
  return tls;
}

/**
 * Creates a lazy Temporal connection: nothing is dialled until the first call, so the API starts and answers
 * `/healthz` while Temporal is down, and gRPC reconnects on its own when Temporal comes back (the reconnect
 * backoff is capped at 5 s so recovery is quick).
 *
 * @throws Error when a TLS certificate file cannot be read.
 */
export function createTemporalConnection(config: Config): Connection {
  return Connection.lazy({
    address: config.TEMPORAL_ADDRESS,
    tls: tlsConfig(config),
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
    channelArgs: {
      'grpc.initial_reconnect_backoff_ms': 500,
      'grpc.max_reconnect_backoff_ms': 5_000,
    },
  });
}

/** Adapts a `Connection` to the {@link TemporalPort} the gateway uses. */
export function temporalPort(connection: Connection, namespace: string): TemporalPort {
  const client = new Client({ connection, namespace });
  return {
    workflow: client.workflow,
    withDeadline: (deadline, fn) => connection.withDeadline(deadline, fn),
    systemInfo: () => connection.workflowService.getSystemInfo({}),
  };
}
