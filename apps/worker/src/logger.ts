import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/worker';
import { LOG_REDACT_CENSOR, LOG_REDACT_PATHS } from '@research/config';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

/**
 * The worker's pino logger, JSON to stdout (or `destination`), with credential headers and key, token and
 * password fields redacted.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'research-worker' },
      redact: { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACT_CENSOR },
    },
    destination,
  );
}

const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Adapts pino to the logger interface Temporal's `Runtime.install({ logger })` expects, so SDK, Core,
 * workflow (`workflow.log`) and activity (`Context.log`) messages end up in the same JSON stream.
 */
export function temporalLogger(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    logger[PINO_METHOD[level]](meta ?? {}, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
