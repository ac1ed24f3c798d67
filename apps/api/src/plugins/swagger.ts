import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { SECURITY_SCHEMES } from '../schemas/security.js';

export const DOCS_PREFIX = '/docs';

/** The document's fixed parts; paths and components come from the routes' zod schemas. */
const OPENAPI_DEFINITION = {
  openapi: '3.1.0',
  info: {
    title: 'Research gateway API',
    version: '0.1.0',
    description:
      'Starts durable AI research pipelines on Temporal (fetch source, LLM summary, human approval, persist), ' +
      'reports their status and delivers approval decisions. Errors are RFC 9457 problem documents with a stable `code`. ' +
      'Callers authenticate with `Authorization: Bearer` (an API key or an OIDC access token); each operation names ' +
      'the scope it needs, and `research:admin` passes every check. With no authentication configured the API runs ' +
      'open on loopback only and answers other `Host` names with 421 HOST_NOT_ALLOWED.',
  },
  components: { securitySchemes: SECURITY_SCHEMES },
  tags: [
    { name: 'research', description: 'Research pipelines' },
    { name: 'health', description: 'Liveness and readiness' },
  ],
};

const componentsTransform = createJsonSchemaTransformObject({});

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') into.add(child);
      else collectRefs(child, into);
    }
  }
}

/**
 * The transform emits an input and an output variant of every registered schema; keep only those the paths
 * reach (directly or through other components), so the document lists what the API really accepts and answers.
 */
function withoutUnreferencedSchemas<T extends { paths?: unknown; components?: { schemas?: unknown } }>(doc: T): T {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, unknown>;
  const prefix = '#/components/schemas/';
  const reached = new Set<string>();
  const pending = new Set<string>();
  collectRefs(doc.paths, pending);
  for (const ref of pending) {
    if (reached.has(ref) || !ref.startsWith(prefix)) continue;
    reached.add(ref);
    collectRefs(schemas[ref.slice(prefix.length)], pending);
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => reached.has(prefix + name)));
  return { ...doc, components: { ...doc.components, schemas: kept } };
}

/** Options of @fastify/swagger: OpenAPI 3.1 generated from the routes' zod schemas. */
export const swaggerOptions: FastifyDynamicSwaggerOptions = {
  openapi: OPENAPI_DEFINITION,
  transform: createJsonSchemaTransform({}),
  transformObject: (input) => withoutUnreferencedSchemas(componentsTransform(input)),
};

/** Options of @fastify/swagger-ui: the UI at `/docs`, the document at `/docs/json`. */
export const swaggerUiOptions: FastifySwaggerUiOptions = { routePrefix: DOCS_PREFIX };
