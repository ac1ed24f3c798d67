import type { temporal } from '@temporalio/proto';
import type { Engine } from '../engine/engine.js';
import type { Run } from '../engine/run-state.js';
import { searchAttributesOf } from '../engine/run-attributes.js';
import {
  EXECUTION_STATUS_NAMES,
  ListQueryError,
  SearchAttributeRegistry,
  compileListQuery,
  decodeSearchAttributePayload,
  listPage,
  searchAttributeTypeFrom,
  type CompiledListQuery,
  type SearchAttributeType,
  type VisibilityRecord,
} from '../visibility/index.js';
import { invalidArgument } from './errors.js';
import { executionInfo } from './describe.js';
import type { WorkflowServiceHandlers } from './service-registry.js';

/** Temporal's `frontend.visibilityMaxPageSize`: also the size of a page asked for with 0 or less. */
export const MAX_PAGE_SIZE = 1000;

/** The page size Temporal's frontend uses for a request's `page_size`. */
export const effectivePageSize = (requested: number): number =>
  requested <= 0 || requested > MAX_PAGE_SIZE ? MAX_PAGE_SIZE : requested;

function registryFor(engine: Engine, namespace: string): SearchAttributeRegistry {
  const custom: Record<string, SearchAttributeType> = {};
  for (const [name, n] of Object.entries(engine.namespace(namespace).searchAttributes)) {
    const type = searchAttributeTypeFrom(n);
    if (type) custom[name] = type;
  }
  return new SearchAttributeRegistry(custom);
}

/** The visibility view of a run; undecodable attribute values are left out rather than failing the list. */
function recordOf(run: Run, registry: SearchAttributeRegistry): VisibilityRecord & { run: Run } {
  const searchAttributes: Record<string, unknown> = {};
  for (const [name, payload] of Object.entries(searchAttributesOf(run)?.indexedFields ?? {})) {
    try {
      const value = decodeSearchAttributePayload(payload, registry.typeOf(name));
      if (value !== null) searchAttributes[name] = value;
    } catch {
      // An attribute the SDK encoded in a way we cannot index is not searchable, but still returned by describe.
    }
  }
  return {
    run,
    workflowId: run.workflowId,
    runId: run.runId,
    workflowType: run.workflowType,
    taskQueue: run.taskQueue,
    status: EXECUTION_STATUS_NAMES[run.status - 1] ?? 'Running',
    startTime: new Date(run.startTime),
    executionTime: new Date(run.executionTime),
    closeTime: run.closeTime ? new Date(run.closeTime) : undefined,
    historyLength: run.history.length,
    searchAttributes,
  };
}

function compile(query: string, registry: SearchAttributeRegistry): CompiledListQuery {
  try {
    return compileListQuery(query, registry);
  } catch (err) {
    if (err instanceof ListQueryError) throw invalidArgument(err.message);
    throw err;
  }
}

/** ListWorkflowExecutions / ScanWorkflowExecutions / CountWorkflowExecutions over every run of the namespace. */
export function listHandlers(engine: Engine): WorkflowServiceHandlers {
  const records = (namespace: string, registry: SearchAttributeRegistry): Array<VisibilityRecord & { run: Run }> =>
    [...engine.runs.values()].filter((r) => r.namespace === namespace).map((r) => recordOf(r, registry));

  const list = (
    req:
      | temporal.api.workflowservice.v1.IListWorkflowExecutionsRequest
      | temporal.api.workflowservice.v1.IScanWorkflowExecutionsRequest,
  ): temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse => {
    const namespace = req.namespace ?? '';
    const registry = registryFor(engine, namespace);
    const query = compile(req.query ?? '', registry);
    try {
      const page = listPage(records(namespace, registry), query, {
        pageSize: effectivePageSize(req.pageSize || 0),
        nextPageToken: req.nextPageToken ?? undefined,
      });
      return {
        executions: page.records.map((r) => executionInfo((r as VisibilityRecord & { run: Run }).run)),
        nextPageToken: page.nextPageToken,
      };
    } catch (err) {
      if (err instanceof ListQueryError) throw invalidArgument(err.message);
      throw err;
    }
  };
  return {
    ListWorkflowExecutions: list,
    ScanWorkflowExecutions: list,
    CountWorkflowExecutions: (req) => {
      const namespace = req.namespace ?? '';
      const registry = registryFor(engine, namespace);
      const query = compile(req.query ?? '', registry);
      return { count: records(namespace, registry).filter((r) => query.matches(r)).length, groups: [] };
    },
  };
}
