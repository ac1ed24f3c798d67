import { Metadata, status } from '@grpc/grpc-js';
import { encode } from '../proto/root.js';

/** A gRPC error with an optional Temporal `errordetails.v1` detail, sent in `grpc-status-details-bin`. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly detail?: { type: string; value: object },
  ) {
    super(message);
  }

  /** The grpc-js server error object, with the rich status trailer when a detail is present. */
  toServiceError(): { code: status; details: string; metadata?: Metadata } {
    if (!this.detail) return { code: this.code, details: this.message };
    const fullName = `temporal.api.errordetails.v1.${this.detail.type}`;
    const statusBytes = encode('google.rpc.Status', {
      code: this.code,
      message: this.message,
      details: [{ type_url: `type.googleapis.com/${fullName}`, value: encode(fullName, this.detail.value) }],
    });
    const metadata = new Metadata();
    metadata.set('grpc-status-details-bin', Buffer.from(statusBytes));
    return { code: this.code, details: this.message, metadata };
  }
}

export const notFound = (message: string): RpcError =>
  new RpcError(status.NOT_FOUND, message, { type: 'NotFoundFailure', value: {} });
export const invalidArgument = (message: string): RpcError => new RpcError(status.INVALID_ARGUMENT, message);
export const workflowCompleted = (): RpcError => notFound('workflow execution already completed');
export const taskNotFound = (): RpcError => notFound('Workflow task not found.');
