import { redactLogFields } from '@research/config';
import { pino, stdSerializers } from 'pino';
import type { DestinationStream, Logger } from 'pino';

/**
 * The API's pino logger, JSON to stdout (or `destination`), with credential headers and key, token, password and
 * secret fields redacted down to two objects deep, in log objects, errors and child bindings alike (the fields
 * `LOG_REDACT_PATHS` names). `redactLogFields` does it rather than pino's `redact`, whose wildcard paths run every
 * value of every line through each path (README "Performance"). Writes to stdout asynchronously, so a request
 * does not wait for its line to reach the pipe; pino's destination flushes what is pending when the process
 * exits, by `process.exit` or a crash (test/logger-exit.test.ts). Built by `server.ts`, and by `buildApp` when it
 * is given none.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const logger = pino(
    {
      level,
      formatters: {
        // An Error under `err` is left whole for its serializer, which needs the Error itself.
        log: (object) =>
          object.err instanceof Error
            ? { ...redactLogFields({ ...object, err: undefined }), err: object.err }
            : redactLogFields(object),
      },
      serializers: { err: (error: Error) => redactLogFields(stdSerializers.err(error), 1) },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
  // pino's `formatters.bindings` sees only the root's bindings. Children inherit from their parent, so every
  // descendant's `child` is this one.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- always called with the parent logger as `this`
  const childOf = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return childOf.call(this, redactLogFields(bindings), options);
  } as Logger['child'];
  return logger;
}
