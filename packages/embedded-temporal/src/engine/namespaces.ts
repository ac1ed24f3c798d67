import { randomUUID } from 'node:crypto';

/** IndexedValueType numbers of `temporal.api.enums.v1.IndexedValueType`. */
export const IndexedValueType = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
} as const;

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
      CustomKeywordField: IndexedValueType.KEYWORD,
      CustomTextField: IndexedValueType.TEXT,
      CustomIntField: IndexedValueType.INT,
      CustomDoubleField: IndexedValueType.DOUBLE,
      CustomBoolField: IndexedValueType.BOOL,
      CustomDatetimeField: IndexedValueType.DATETIME,
    },
  };
}

/** System search attributes every namespace has. */
export const systemSearchAttributes: Record<string, number> = {
  WorkflowId: IndexedValueType.KEYWORD,
  RunId: IndexedValueType.KEYWORD,
  WorkflowType: IndexedValueType.KEYWORD,
  ExecutionStatus: IndexedValueType.KEYWORD,
  TaskQueue: IndexedValueType.KEYWORD,
  StartTime: IndexedValueType.DATETIME,
  CloseTime: IndexedValueType.DATETIME,
  ExecutionTime: IndexedValueType.DATETIME,
  ExecutionDuration: IndexedValueType.INT,
  HistoryLength: IndexedValueType.INT,
  HistorySizeBytes: IndexedValueType.INT,
  BuildIds: IndexedValueType.KEYWORD_LIST,
  TemporalChangeVersion: IndexedValueType.KEYWORD_LIST,
};
