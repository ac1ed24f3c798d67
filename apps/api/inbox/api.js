// Calls to the API from the page. The reviewer's key stays in this tab's sessionStorage (gone when the tab closes)
// and travels as `Authorization: Bearer`; the API answers errors as problem+json, turned into ApiError here.

const KEY_STORAGE = 'research-inbox.api-key';

export const credentials = {
  /** @returns {string | null} */
  get: () => sessionStorage.getItem(KEY_STORAGE),
  /** @param {string} key */
  set: (key) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

/** A refused request: `status`, and the problem's stable `code` and `detail` when the API sent one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `The API answered ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.code = typeof problem?.code === 'string' ? problem.code : null;
  }
}

/** The Authorization header for the stored key; none in open mode. */
export function authHeaders() {
  const key = credentials.get();
  return key ? { authorization: `Bearer ${key}` } : {};
}

async function parseJson(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * A JSON request to this origin's API.
 *
 * @param {string} path
 * @param {{ method?: string, body?: unknown, headers?: Record<string, string>, signal?: AbortSignal }} [options]
 * @returns {Promise<{ body: any, headers: Headers }>}
 * @throws {ApiError} for any answer but 2xx; the fetch's own TypeError when the API cannot be reached.
 */
export async function api(path, { method = 'GET', body, headers = {}, signal } = {}) {
  const response = await fetch(path, {
    method,
    headers: {
      accept: 'application/json, application/problem+json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...authHeaders(),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    signal,
  });
  const parsed = await parseJson(response);
  if (!response.ok) throw new ApiError(response.status, parsed);
  return { body: parsed, headers: response.headers };
}

/** The path of a pipeline, with its id escaped. */
export const workflowPath = (id, suffix = '') => `/workflows/${encodeURIComponent(id)}${suffix}`;
