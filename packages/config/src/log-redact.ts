// Field names whose values are credentials wherever they appear in a log object.
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'apiKey',
  'api_key',
  'key',
  'token',
  'accessToken',
  'refreshToken',
  'password',
  'secret',
  'clientSecret',
];

// Request headers that carry credentials; `x-api-key` cannot be written as a dotted path.
const SECRET_HEADERS = ['authorization', 'cookie', '["x-api-key"]', '["proxy-authorization"]'];

/**
 * pino `redact` paths shared by the API and the worker: credential headers of logged requests, and key, token,
 * password and secret fields at the top of a log object or up to two objects deep. pino's wildcards match a
 * single level, hence one path per depth.
 */
export const LOG_REDACT_PATHS: readonly string[] = [
  ...SECRET_HEADERS.flatMap((header) =>
    ['req.headers', 'request.headers', 'headers', 'res.headers'].map((parent) =>
      header.startsWith('[') ? `${parent}${header}` : `${parent}.${header}`,
    ),
  ),
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** What a redacted value is replaced with. */
export const LOG_REDACT_CENSOR = '[redacted]';
