import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import type { ResearchGateway } from './temporal/gateway.js';
import { TemporalUnavailableError } from './temporal/errors.js';

/** The committed copy of the served OpenAPI document, at the repository root. */
export const OPENAPI_YAML_PATH = fileURLToPath(new URL('../../../openapi.yaml', import.meta.url));

/** The OpenAPI document `app` serves at `/docs/json`. */
export async function openApiDocument(app: FastifyInstance): Promise<Record<string, unknown>> {
  await app.ready();
  return app.swagger() as unknown as Record<string, unknown>;
}

/** `document` as YAML, without anchors, so it reads like the JSON the API serves. */
export function openApiYaml(document: Record<string, unknown>): string {
  return stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** A gateway that refuses every call; for building the app only to read its document. */
export const offlineGateway: ResearchGateway = {
  startResearch: () => Promise.reject(new TemporalUnavailableError()),
  getWorkflow: () => Promise.reject(new TemporalUnavailableError()),
  approve: () => Promise.reject(new TemporalUnavailableError()),
  getReceipts: () => Promise.reject(new TemporalUnavailableError()),
  ready: () => Promise.reject(new TemporalUnavailableError()),
  listWorkflows: () => Promise.reject(new TemporalUnavailableError()),
  cancel: () => Promise.reject(new TemporalUnavailableError()),
  openEvents: () => Promise.reject(new TemporalUnavailableError()),
};
