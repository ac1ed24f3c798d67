import { LOG_REDACT_CENSOR, LOG_REDACT_PATHS } from '@research/config';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

/**
 * The API's pino logger, JSON to stdout (or `destination`), with credential headers and key, token and password
 * fields redacted. Built by `server.ts`, and by `buildApp` when it is given none.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACT_CENSOR } }, destination);
}
