/**
 * Where a research pipeline is. Ordered as the pipeline moves; `failed` and `cancelled` (a cancel request) can follow
 * any stage before `completed`.
 */
export const STAGES = [
  'queued',
  'fetching',
  'summarizing',
  'awaiting_approval',
  'saving',
  'completed',
  'failed',
  'cancelled',
] as const;

export type Stage = (typeof STAGES)[number];
