/** Task queue the worker polls and the API starts research workflows on. */
export const RESEARCH_TASK_QUEUE = 'research-pipeline';

/** Registered workflow type name of the research pipeline. */
export const RESEARCH_WORKFLOW_TYPE = 'research';

/** Memo key under which the workflow publishes its {@link PublishedStatus}, readable with no worker running. */
export const STATUS_MEMO_KEY = 'research';

/** Memo key under which the API records the request that started a workflow (topic, source, body hash). */
export const REQUEST_MEMO_KEY = 'request';

/** Memo key under which the workflow keeps the receipts of its accepted decisions (`DecisionReceipt[]`). */
export const RECEIPTS_MEMO_KEY = 'receipts';
