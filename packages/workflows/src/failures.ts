import { FailureType } from '@research/contracts';
import type { ResearchState, Stage } from '@research/contracts';
import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation } from '@temporalio/workflow';

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

/** How a pipeline runs its steps so that a failure for good ends it with stage `failed`. */
export interface PipelineSteps {
  /** Runs an activity step: a failed activity enters `failed` and becomes {@link toStepFailure}'s failure. */
  step: <T>(name: ResearchStep, run: () => Promise<T>) => Promise<T>;
  /** Runs workflow code that fails the pipeline with an `ApplicationFailure` of its own (not an activity's). */
  failing: <T>(run: () => Promise<T>) => Promise<T>;
}

/** The {@link PipelineSteps} of one run: `enter` publishes the `failed` stage, `state` tells whether it already was. */
export function pipelineSteps(state: ResearchState, enter: (stage: Stage) => void): PipelineSteps {
  return {
    async step(name, run) {
      try {
        return await run();
      } catch (error) {
        // Only a failed activity fails the pipeline; cancellation and bugs propagate unchanged.
        if (!(error instanceof ActivityFailure) || isCancellation(error)) throw error;
        enter('failed');
        throw toStepFailure(name, error);
      }
    },
    async failing(run) {
      try {
        return await run();
      } catch (error) {
        // A failed activity was already reported by step().
        if (error instanceof ApplicationFailure && state.stage !== 'failed') enter('failed');
        throw error;
      }
    },
  };
}
