export { buildApp } from './app.js';
export { SCOPES } from './auth/scopes.js';
export type { Scope } from './auth/scopes.js';
export type { AuthMethod, Caller } from './auth/caller.js';
export type { AppDeps, ServerTimeouts } from './app.js';
export { ConfigError, loadConfig } from './config.js';
export type { Config } from './config.js';
export { OPENAPI_YAML_PATH, offlineGateway, openApiDocument, openApiYaml } from './openapi.js';
export { PROBLEMS, problemTypeUri } from './problems/catalogue.js';
export type { ProblemCode } from './problems/catalogue.js';
export { problemSchema } from './schemas/problem.js';
export type { Problem } from './schemas/problem.js';
export { researchAcceptedSchema, workflowSchema } from './schemas/workflow.js';
export type { ResearchAccepted, RetryInfo, WorkflowError, WorkflowStatus, WorkflowView } from './schemas/workflow.js';
export { createTemporalConnection, temporalPort } from './temporal/connection.js';
export {
  DecisionRejectedError,
  GatewayError,
  IdempotencyKeyReusedError,
  NotAwaitingApprovalError,
  SelfApprovalForbiddenError,
  TemporalUnavailableError,
  WorkflowNotFoundError,
  WorkflowTimeoutError,
} from './temporal/errors.js';
export type { ApproveOptions, ResearchGateway, StartResearchOptions, StartedResearch } from './temporal/gateway.js';
export type { TemporalPort } from './temporal/ports.js';
export { createTemporalGateway } from './temporal/temporal-gateway.js';
export type { TemporalGatewayOptions } from './temporal/temporal-gateway.js';
