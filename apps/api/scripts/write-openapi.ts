// Regenerates /openapi.yaml from the routes' zod schemas: the same document the API serves at /docs/json.
// Run from the repository root: node --conditions=source --import tsx apps/api/scripts/write-openapi.ts
import { writeFileSync } from 'node:fs';
import { OPENAPI_YAML_PATH, buildApp, loadConfig, offlineGateway, openApiDocument, openApiYaml } from '../src/index.js';

const app = buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), temporal: offlineGateway });
try {
  writeFileSync(OPENAPI_YAML_PATH, openApiYaml(await openApiDocument(app)));
  console.log(`wrote ${OPENAPI_YAML_PATH}`);
} finally {
  await app.close();
}
