import type * as protobuf from 'protobufjs';
import jsonModuleRoot from '@temporalio/proto/protos/json-module.js';

/**
 * The protobufjs reflection root shipped by `@temporalio/proto`; it describes every Temporal message and
 * service, so the server never hand-writes message shapes. Types resolve lazily on first use: resolving the whole
 * root up front would cost more than the rest of the server's start-up.
 */
export const root: protobuf.Root = jsonModuleRoot;

const typeCache = new Map<string, protobuf.Type>();

/** Looks up (and caches) a message type by its full proto name. */
export function type(fullName: string): protobuf.Type {
  let t = typeCache.get(fullName);
  if (!t) {
    t = root.lookupType(fullName);
    typeCache.set(fullName, t);
  }
  return t;
}

/** Encodes a plain object (camelCase fields, numbers for enums) as the named message. */
export function encode(fullName: string, value: object): Uint8Array {
  return type(fullName).encode(value).finish();
}

/** Decodes bytes as the named message; int64 fields come back as `Long`. */
export function decode<T = Msg>(fullName: string, bytes: Uint8Array): T {
  return type(fullName).decode(bytes) as unknown as T;
}

/** Loosely typed protobuf message; field presence is checked at use. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- proto messages are reflection-typed
export type Msg = Record<string, any>;

/** Returns `{ NAME: number }` for a proto enum. */
export function enumValues(fullName: string): Record<string, number> {
  return root.lookupEnum(fullName).values;
}
