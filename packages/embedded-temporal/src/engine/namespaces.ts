import { randomUUID } from 'node:crypto';
import { indexedValueType } from '../visibility/search-attributes.js';

/** A registered namespace with its custom search attributes (name ⇒ IndexedValueType). */
export interface NamespaceRecord {
  name: string;
  id: string;
  description: string;
  retentionMs: number;
  searchAttributes: Record<string, number>;
}

/** The namespace created at first start, with the custom attributes the Temporal test suites expect. */
export function defaultNamespace(name: string): NamespaceRecord {
  return {
    name,
    id: randomUUID(),
    description: '',
    retentionMs: 24 * 3600_000,
    searchAttributes: {
      CustomKeywordField: indexedValueType('Keyword'),
      CustomTextField: indexedValueType('Text'),
      CustomIntField: indexedValueType('Int'),
      CustomDoubleField: indexedValueType('Double'),
      CustomBoolField: indexedValueType('Bool'),
      CustomDatetimeField: indexedValueType('Datetime'),
    },
  };
}

/** System search attributes every namespace has. */
export const systemSearchAttributes: Record<string, number> = {
  WorkflowId: indexedValueType('Keyword'),
  RunId: indexedValueType('Keyword'),
  WorkflowType: indexedValueType('Keyword'),
  ExecutionStatus: indexedValueType('Keyword'),
  TaskQueue: indexedValueType('Keyword'),
  StartTime: indexedValueType('Datetime'),
  CloseTime: indexedValueType('Datetime'),
  ExecutionTime: indexedValueType('Datetime'),
  ExecutionDuration: indexedValueType('Int'),
  HistoryLength: indexedValueType('Int'),
  HistorySizeBytes: indexedValueType('Int'),
  BuildIds: indexedValueType('KeywordList'),
  TemporalChangeVersion: indexedValueType('KeywordList'),
};
