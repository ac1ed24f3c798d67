import type { temporal } from '@temporalio/proto';
import { enumValues } from '../proto/root.js';
import { CommandType, WftFailedCause } from '../proto/enums.js';
import { durMs, num } from '../proto/time.js';
import type { EngineCore } from './core.js';
import type { Run } from './run-state.js';
import type { Tx } from './tx.js';
import { appendEvent } from './history.js';
import { completeRun, continueAsNew, failRun, cancelRun } from './lifecycle.js';
import { mergeMemo, mergeSearchAttributes, withSearchAttributeTypes } from './run-attributes.js';
import {
  scheduleActivity,
  requestCancelActivity,
  cancelActivityError,
  normalizeActivity,
  wantsEagerStart,
} from '../activities/activity-commands.js';
import { startChild, signalExternal, cancelExternal } from './children.js';
import { applyProtocolMessage } from '../updates/update-registry.js';
import type { CompletionContext } from './completion-context.js';

type Command = temporal.api.command.v1.ICommand;

const C = CommandType;
const commandNames = new Map<number, string>(Object.entries(CommandType).map(([k, v]) => [v, k]));
const allCauses = enumValues('temporal.api.enums.v1.WorkflowTaskFailedCause');

/** `COMMAND_TYPE_START_TIMER` ⇒ `startTimerCommandAttributes`. */
function attributesFieldOf(commandName: string): string {
  const camel = commandName
    .slice('COMMAND_TYPE_'.length)
    .toLowerCase()
    .replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
  return `${camel}CommandAttributes`;
}

/** Rejects commands the server cannot apply, before anything is written (the real server's attribute validator). */
export function validateCommand(run: Run, c: Command): { cause: number; message: string } | undefined {
  const t = c.commandType as number | null | undefined;
  const name = t == null ? undefined : commandNames.get(t);
  if (name && !c[attributesFieldOf(name) as keyof Command]) {
    const cause =
      allCauses[`WORKFLOW_TASK_FAILED_CAUSE_BAD_${name.slice('COMMAND_TYPE_'.length)}_ATTRIBUTES`] ??
      WftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED;
    return { cause, message: `${name} command is missing its attributes` };
  }
  if (t === C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK) {
    const err = normalizeActivity(run, c.scheduleActivityTaskCommandAttributes ?? {}).error;
    if (err) return { cause: WftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES, message: err };
  } else if (t === C.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK) {
    const err = cancelActivityError(run, c.requestCancelActivityTaskCommandAttributes ?? {});
    if (err)
      return { cause: WftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES, message: err };
  } else if (t === C.COMMAND_TYPE_START_TIMER) {
    const a = c.startTimerCommandAttributes ?? {};
    if (!a.timerId)
      return {
        cause: WftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES,
        message: 'TimerId is not set',
      };
    if (run.timers[a.timerId]) {
      return {
        cause: WftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID,
        message: `timer ${a.timerId} already started`,
      };
    }
  } else if (t === C.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION || t === C.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION) {
    return {
      cause: WftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES,
      message: 'Nexus operations are not supported by the embedded server',
    };
  } else if (t == null || t === 0 || !Object.values(C).includes(t)) {
    return { cause: WftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED, message: `unknown command type ${t}` };
  }
  return undefined;
}

/**
 * Writes the events for one command of a workflow task completion. Commands have passed {@link validateCommand},
 * so each carries the attributes its type names (the `?? {}` fallbacks are never taken).
 */
export function applyCommand(engine: EngineCore, tx: Tx, run: Run, c: Command, ctx: CompletionContext): void {
  const wtc = ctx.completedId;
  switch (c.commandType as number | null | undefined) {
    case C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
      const a = c.scheduleActivityTaskCommandAttributes ?? {};
      const eager = wantsEagerStart(engine, run, a);
      const scheduledId = scheduleActivity(engine, tx, run, a, wtc, c.userMetadata, { dispatch: !eager });
      if (eager) ctx.eagerActivities.push(scheduledId);
      return;
    }
    case C.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK:
      requestCancelActivity(engine, tx, run, c.requestCancelActivityTaskCommandAttributes ?? {}, wtc);
      return;
    case C.COMMAND_TYPE_START_TIMER: {
      const a = c.startTimerCommandAttributes ?? {};
      const timerId = a.timerId ?? '';
      const ev = appendEvent(
        tx,
        run,
        'TimerStarted',
        {
          timerId,
          startToFireTimeout: a.startToFireTimeout,
          workflowTaskCompletedEventId: wtc,
        },
        c.userMetadata,
      );
      run.timers[timerId] = {
        startedId: num(ev.eventId),
        fireAt: Date.now() + durMs(a.startToFireTimeout),
      };
      return;
    }
    case C.COMMAND_TYPE_CANCEL_TIMER: {
      const id = c.cancelTimerCommandAttributes?.timerId ?? '';
      const timer = run.timers[id];
      if (!timer) return;
      appendEvent(tx, run, 'TimerCanceled', {
        timerId: id,
        startedEventId: timer.startedId,
        workflowTaskCompletedEventId: wtc,
        identity: ctx.identity,
      });
      delete run.timers[id];
      return;
    }
    case C.COMMAND_TYPE_RECORD_MARKER: {
      const a = c.recordMarkerCommandAttributes ?? {};
      appendEvent(tx, run, 'MarkerRecorded', {
        markerName: a.markerName,
        details: a.details,
        header: a.header,
        failure: a.failure,
        workflowTaskCompletedEventId: wtc,
      });
      return;
    }
    case C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
      const sa = withSearchAttributeTypes(
        c.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes,
        engine.namespace(run.namespace).searchAttributes,
      );
      appendEvent(tx, run, 'UpsertWorkflowSearchAttributes', {
        searchAttributes: sa,
        workflowTaskCompletedEventId: wtc,
      });
      mergeSearchAttributes(run, sa);
      return;
    }
    case C.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: {
      const memo = c.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo;
      appendEvent(tx, run, 'WorkflowPropertiesModified', { upsertedMemo: memo, workflowTaskCompletedEventId: wtc });
      mergeMemo(run, memo);
      return;
    }
    case C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
      completeRun(engine, tx, run, c.completeWorkflowExecutionCommandAttributes ?? {}, wtc);
      return;
    case C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
      failRun(engine, tx, run, c.failWorkflowExecutionCommandAttributes?.failure, wtc);
      return;
    case C.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
      cancelRun(engine, tx, run, c.cancelWorkflowExecutionCommandAttributes?.details, wtc);
      return;
    case C.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
      continueAsNew(engine, tx, run, c.continueAsNewWorkflowExecutionCommandAttributes ?? {}, wtc);
      return;
    case C.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION:
      startChild(engine, tx, run, c.startChildWorkflowExecutionCommandAttributes ?? {}, ctx, c.userMetadata);
      return;
    case C.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
      signalExternal(engine, tx, run, c.signalExternalWorkflowExecutionCommandAttributes ?? {}, ctx);
      return;
    case C.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
      cancelExternal(engine, tx, run, c.requestCancelExternalWorkflowExecutionCommandAttributes ?? {}, ctx);
      return;
    case C.COMMAND_TYPE_PROTOCOL_MESSAGE:
      applyProtocolMessage(engine, tx, run, c.protocolMessageCommandAttributes?.messageId ?? '', ctx);
      return;
    default:
      return;
  }
}
