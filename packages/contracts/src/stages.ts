/** Where a research pipeline is. Ordered as the pipeline moves; `failed` can follow any stage. */
export const STAGES = [
  'queued',
  'fetching',
  'summarizing',
  'awaiting_approval',
  'saving',
  'completed',
  'failed',
] as const;

export type Stage = (typeof STAGES)[number];
