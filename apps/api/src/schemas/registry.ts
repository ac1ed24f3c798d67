import { z } from 'zod';

/**
 * Registers `schema` under `id` in zod's global registry, which the OpenAPI transform turns into
 * `components/schemas/<id>`. The global registry (not a local one) because `.describe()` writes there too and the
 * transform reads descriptions from the same registry. Safe while no other package registers ids in this process.
 */
export function component<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  const existing = z.globalRegistry.get(schema);
  z.globalRegistry.add(schema, { ...existing, id, ...(description === undefined ? {} : { description }) });
  return schema;
}
