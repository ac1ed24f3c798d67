// WorkflowService calls as raw bytes through grpc-js, encoded and decoded with the proto descriptors the server
// itself uses (`@temporalio/proto`'s reflection root), so the synthetic driver never hand-writes message shapes.
import { hostname } from 'node:os';
import type { status } from '@grpc/grpc-js';
import { credentials, Client, Metadata, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { decode, encode, enumValues, type Msg } from '../src/proto/root.js';

const WS = 'temporal.api.workflowservice.v1';

export const NAMESPACE = 'default';
/** sdk-core's and the TS client's identity format. */
export const IDENTITY = `${process.pid}@${hostname()}`;

export class RawWorkflowService {
  readonly #client: Client;

  constructor(address: string) {
    // Its own connection, as the SDK client and the sdk-core worker each have one (grpc-js would share a subchannel).
    this.#client = new Client(address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  }

  /**
   * Calls `method` with `request` encoded as `<method>Request` and decodes `<method>Response`. A call added to
   * `inflight` stays there until it settles, so long polls can be cancelled at shutdown.
   */
  call(
    method: string,
    request: object,
    opts: { deadline?: number; inflight?: Set<ClientUnaryCall> } = {},
  ): Promise<Msg> {
    const body = Buffer.from(encode(`${WS}.${method}Request`, request));
    return new Promise((resolve, reject) => {
      const call = this.#client.makeUnaryRequest(
        `/${WS}.WorkflowService/${method}`,
        (b: Buffer) => b,
        (b: Buffer) => b,
        body,
        new Metadata(),
        opts.deadline === undefined ? {} : { deadline: opts.deadline },
        (err: ServiceError | null, res?: Buffer) => {
          opts.inflight?.delete(call);
          if (err) reject(err);
          else resolve(decode(`${WS}.${method}Response`, res ?? Buffer.alloc(0)));
        },
      );
      opts.inflight?.add(call);
    });
  }

  close(): void {
    this.#client.close();
  }
}

export function isServiceError(err: unknown, code: status): err is ServiceError {
  return typeof err === 'object' && err !== null && (err as Partial<ServiceError>).code === code;
}

/** A proto enum value by name; throws at load when the descriptors lack it. */
export function enumValue(enumName: string, valueName: string): number {
  const v = enumValues(`temporal.api.enums.v1.${enumName}`)[valueName];
  if (v === undefined) throw new Error(`temporal.api.enums.v1.${enumName} has no ${valueName}`);
  return v;
}

/** int64 fields decode as `Long` (or number when small enough for protobufjs to choose). */
export function int64(v: unknown): number {
  return typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
}

const JSON_PLAIN = Buffer.from('json/plain');

/** `Payloads` the way the SDK's default converter writes plain JSON values. */
export function jsonPayloads(...values: unknown[]): Msg {
  return {
    payloads: values.map((v) => ({ metadata: { encoding: JSON_PLAIN }, data: Buffer.from(JSON.stringify(v)) })),
  };
}

/** The first payload's value; only `json/plain` occurs in this bench. */
export function firstJsonValue(payloads: Msg | null | undefined): unknown {
  const p = payloads?.payloads?.[0] as Msg | undefined;
  if (!p) throw new Error('expected a payload, got none');
  const encoding = Buffer.from(p.metadata?.encoding ?? []).toString();
  if (encoding !== 'json/plain') throw new Error(`unexpected payload encoding ${JSON.stringify(encoding)}`);
  return JSON.parse(Buffer.from(p.data).toString()) as unknown;
}
