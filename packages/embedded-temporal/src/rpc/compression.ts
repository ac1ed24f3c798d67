import { Metadata, ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';

/**
 * Answers requests sent with a `grpc-encoding` other than identity with UNIMPLEMENTED, as the gRPC compression
 * spec has a server do for an encoding it does not accept.
 *
 * The server listens on loopback, where compressing buys nothing, and grpc-js inflates each message through a
 * fresh zlib stream: with the SDK's default gzip that was a third of the server's CPU per workflow. sdk-core's
 * client reconnects uncompressed when GetSystemInfo fails this way (the message must mention `grpc-encoding`),
 * so the SDKs built on it fall back on their own.
 */
export const refuseCompressedRequests: ServerInterceptor = (_method, call) => {
  const encoding = incomingEncoding(call);
  if (encoding === undefined || encoding === 'identity') return call as ServerInterceptingCall;
  return new ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveMetadata: () =>
          call.sendStatus({
            code: status.UNIMPLEMENTED,
            details:
              `grpc-encoding "${encoding}" is not supported: this server only accepts uncompressed requests ` +
              "(set the client's gRPC compression to none, or start the server with --accept-compressed-requests)",
            metadata: new Metadata(),
          }),
      }),
  });
};

/**
 * The request's `grpc-encoding`. grpc-js strips it from the metadata handed to interceptors and keeps it on the
 * base call, which is what the first interceptor receives; `undefined` if a grpc-js release stops doing so.
 */
function incomingEncoding(call: object): string | undefined {
  const encoding = (call as { incomingEncoding?: unknown }).incomingEncoding;
  return typeof encoding === 'string' ? encoding : undefined;
}
