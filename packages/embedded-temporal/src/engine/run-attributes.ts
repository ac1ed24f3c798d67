import type { temporal } from '@temporalio/proto';
import { packMsg, unpackMsg } from './history.js';
import type { Run } from './run-state.js';
import { systemSearchAttributes } from './namespaces.js';
import { searchAttributeTypeFrom } from '../visibility/search-attributes.js';

type Memo = temporal.api.common.v1.IMemo;
type SearchAttributes = temporal.api.common.v1.ISearchAttributes;
type Payload = temporal.api.common.v1.IPayload;

const MEMO = 'temporal.api.common.v1.Memo';
const SEARCH_ATTRIBUTES = 'temporal.api.common.v1.SearchAttributes';

/** The run's current memo (start memo plus upserts). */
export const memoOf = (run: Run): Memo | null => unpackMsg(MEMO, run.memo);

/** The run's current search attributes (start values plus upserts). */
export const searchAttributesOf = (run: Run): SearchAttributes | null =>
  unpackMsg(SEARCH_ATTRIBUTES, run.searchAttributes);

export function setInitialAttributes(
  run: Run,
  memo: Memo | null | undefined,
  sa: SearchAttributes | null | undefined,
): void {
  run.memo = memo && Object.keys(memo.fields ?? {}).length ? packMsg(MEMO, memo) : '';
  run.searchAttributes = sa && Object.keys(sa.indexedFields ?? {}).length ? packMsg(SEARCH_ATTRIBUTES, sa) : '';
}

/** An empty payload (no data, or JSON null) removes the key, as the real server does. */
function isEmptyPayload(p: Payload | null | undefined): boolean {
  if (!p) return true;
  const data = p.data;
  return !data || data.length === 0 || Buffer.from(data).toString() === 'null' || Buffer.from(data).toString() === '[]';
}

function merge(current: Record<string, Payload>, upserted: Record<string, Payload>): Record<string, Payload> {
  const out = { ...current };
  for (const [k, v] of Object.entries(upserted)) {
    if (isEmptyPayload(v)) delete out[k];
    else out[k] = v;
  }
  return out;
}

export function mergeSearchAttributes(run: Run, upsert: SearchAttributes | null | undefined): void {
  const fields = merge(searchAttributesOf(run)?.indexedFields ?? {}, upsert?.indexedFields ?? {});
  run.searchAttributes = Object.keys(fields).length ? packMsg(SEARCH_ATTRIBUTES, { indexedFields: fields }) : '';
}

export function mergeMemo(run: Run, upsert: Memo | null | undefined): void {
  const fields = merge(memoOf(run)?.fields ?? {}, upsert?.fields ?? {});
  run.memo = Object.keys(fields).length ? packMsg(MEMO, { fields }) : '';
}

/** The run's WorkflowExecutionStarted attributes. */
export function startedAttrs(run: Run): temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes {
  return startEvent(run)?.workflowExecutionStartedEventAttributes ?? {};
}

/** The run's first event, WorkflowExecutionStarted. */
export function startEvent(run: Run): temporal.api.history.v1.IHistoryEvent | undefined {
  return run.history.at(0);
}

/**
 * Adds the `type` metadata (`Keyword`, `Datetime`, ...) to search attribute payloads sent without one (the
 * SDK's untyped API), from the namespace's registered types, as the real server does: the SDKs decode a
 * `Datetime` back to a date only when the payload says so. Payloads that carry a type, removals and
 * unregistered names are left as sent. Returns the input when nothing changes.
 */
export function withSearchAttributeTypes(
  sa: SearchAttributes | null | undefined,
  registered: Record<string, number>,
): SearchAttributes | null | undefined {
  const fields = sa?.indexedFields;
  if (!fields) return sa;
  let out: Record<string, Payload> | undefined;
  for (const [name, payload] of Object.entries(fields)) {
    if (!payload || payload.metadata?.type || isEmptyPayload(payload)) continue;
    const type = searchAttributeTypeFrom(registered[name] ?? systemSearchAttributes[name] ?? 0);
    if (!type) continue;
    out ??= { ...fields };
    out[name] = { ...payload, metadata: { ...(payload.metadata ?? {}), type: Buffer.from(type) } };
  }
  return out ? { ...sa, indexedFields: out } : sa;
}
