import { FailureType } from '@research/contracts';
import { ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import type { ActivityFailure } from '@temporalio/workflow';

export type ResearchStep =
  'fetchSource' | 'summarize' | 'takeNotes' | 'writeDraft' | 'diffSummary' | 'saveResult' | 'recordDecision';

const STEP_FAILURE_PREFIX: Record<ResearchStep, string> = {
  fetchSource: 'Could not fetch the source',
  summarize: 'Could not summarize the source',
  takeNotes: 'Could not take notes on the sources',
  writeDraft: 'Could not summarize the source',
  diffSummary: 'Could not record the edit',
  saveResult: 'Could not save the result',
  recordDecision: 'Could not record the decision receipt',
};

/** The readable reason of an activity failure's cause. */
export function explainCause(cause: Error | undefined): string {
  if (cause instanceof TimeoutFailure) return 'the step did not finish in time';
  if (cause?.message) return cause.message;
  return 'the step failed';
}

/**
 * Turns an activity failure into the workflow's failure: a sentence a person understands, the activity's
 * failure type kept (so the API can branch on it), and the original failure as cause.
 */
export function toStepFailure(step: ResearchStep, error: ActivityFailure): ApplicationFailure {
  const cause = error.cause;
  return ApplicationFailure.create({
    message: `${STEP_FAILURE_PREFIX[step]}: ${explainCause(cause)}`,
    type: cause instanceof ApplicationFailure && cause.type ? cause.type : FailureType.ResearchStepFailed,
    nonRetryable: true,
    details: [{ step }],
    cause: error,
  });
}
