import { RESEARCH_SEARCH_ATTRIBUTE_KEYS } from '@research/contracts';
import protos from '@temporalio/proto';

const { IndexedValueType } = protos.temporal.api.enums.v1;

const GRPC_ALREADY_EXISTS = 6;

/** The slice of `OperatorService` registration needs; `connection.operatorService` of either SDK connection. */
export interface SearchAttributeOperator {
  addSearchAttributes(request: { namespace: string; searchAttributes: Record<string, number> }): Promise<unknown>;
}

export interface SearchAttributeLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/**
 * Registers the research search attributes in `namespace` (`AddSearchAttributes`); registered already counts as
 * success. Called by the API and the worker at start-up, so any Temporal works without a manual step. Never
 * throws: where the credentials may not register attributes (a managed cluster) it logs a warning, and an operator
 * registers them (docker-compose's `temporal-search-attributes` job does).
 *
 * @returns whether the attributes are known to be registered.
 */
export async function ensureSearchAttributes(
  operator: SearchAttributeOperator,
  namespace: string,
  logger: SearchAttributeLogger,
): Promise<boolean> {
  const searchAttributes = Object.fromEntries(
    RESEARCH_SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
  );
  try {
    await operator.addSearchAttributes({ namespace, searchAttributes });
    logger.info({ namespace, searchAttributes: Object.keys(searchAttributes) }, 'Search attributes registered');
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === GRPC_ALREADY_EXISTS) return true;
    logger.warn(
      { namespace, err: error },
      'Could not register the research search attributes; register them with `temporal operator search-attribute ' +
        'create` (see the README), or listing pipelines and stage changes will fail',
    );
    return false;
  }
}
