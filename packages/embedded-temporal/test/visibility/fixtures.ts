import { SearchAttributeRegistry, type VisibilityRecord } from '../../src/visibility/index.js';

export const registry = (): SearchAttributeRegistry =>
  new SearchAttributeRegistry({
    CustomerId: 'Keyword',
    Description: 'Text',
    Priority: 'Int',
    Score: 'Double',
    IsVip: 'Bool',
    DueAt: 'Datetime',
    Tags: 'KeywordList',
  });

let counter = 0;

/** A record with defaults; `at` is minutes after 2024-01-01T00:00:00Z for the start time. */
export function record(overrides: Partial<VisibilityRecord> & { at?: number } = {}): VisibilityRecord {
  const { at = counter, ...rest } = overrides;
  counter++;
  const startTime = new Date(Date.UTC(2024, 0, 1) + at * 60_000);
  return {
    workflowId: `wf-${counter}`,
    runId: `run-${String(counter).padStart(4, '0')}`,
    workflowType: 'ResearchWorkflow',
    taskQueue: 'research',
    status: 'Running',
    startTime,
    executionTime: startTime,
    historyLength: 10,
    searchAttributes: {},
    ...rest,
  };
}
