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

// The names LOG_REDACT_PATHS hides, headers included, matched at any of the depths its paths reach.
const SECRET_KEYS: ReadonlySet<string> = new Set([...SECRET_FIELDS, 'x-api-key', 'proxy-authorization']);
const DEEPEST = 2;

function redactFields(object: object, depth: number): object {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const value: unknown = (object as Record<string, unknown>)[key];
    let safe = value;
    if (SECRET_KEYS.has(key)) safe = value === undefined ? value : LOG_REDACT_CENSOR;
    else if (depth < DEEPEST && typeof value === 'object' && value !== null) safe = redactFields(value, depth + 1);
    if (safe !== value) {
      copy ??= (Array.isArray(object) ? [...(object as unknown[])] : { ...object }) as Record<string, unknown>;
      copy[key] = safe;
    }
  }
  return copy ?? object;
}

/**
 * `object` with every field named like a credential (the names of {@link LOG_REDACT_PATHS}, headers included)
 * replaced by {@link LOG_REDACT_CENSOR}, at `depth` (0 for a log object's own fields) down to two objects deep.
 * Never mutates: returns `object` itself when it holds no such field, else a copy of just the objects on the way
 * to one. A copy keeps only own enumerable fields, as JSON does. The API's logger calls it on every log object
 * and on child bindings instead of pino's `redact`, which runs every value of every line through each wildcard path.
 */
export function redactLogFields<T extends object>(object: T, depth = 0): T {
  return redactFields(object, depth) as T;
}
