import type { temporal } from '@temporalio/proto';

/** Per-completion bookkeeping of RespondWorkflowTaskCompleted, shared by the command handlers. */
export interface CompletionContext {
  completedId: number;
  identity: string;
  /** Protocol messages of the completion by id. */
  messages: Map<string, temporal.api.protocol.v1.IMessage>;
  /** Ids of messages already applied through a ProtocolMessage command. */
  handled: Set<string>;
  /** Effects on other runs, applied after this run's command events are written. */
  later: Array<() => void>;
  /** Scheduled event ids of activities the worker asked to run eagerly: started and returned in the response. */
  eagerActivities: number[];
}
