// Search attribute values travel as `temporal.api.common.v1.Payload`s. The TypeScript SDK writes JSON
// (`encoding: json/plain`) and, for typed search attributes, `type: <IndexedValueType name>` such as
// `Keyword` or `KeywordList` (older servers and SDKs: `INDEXED_VALUE_TYPE_KEYWORD`). The deprecated
// untyped API sends every value as an array and no type; a null payload removes the attribute.
import { SearchAttributeError } from './errors.js';
import { searchAttributeTypeFrom, type SearchAttributeType } from './search-attributes.js';

/** The shape of a Payload message as protobufjs decodes it. */
export interface PayloadLike {
  metadata?: Record<string, Uint8Array> | null;
  data?: Uint8Array | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one search attribute payload to a plain JSON value: a string, number or boolean for scalar types
 * (Datetime stays an RFC 3339 string), a string array for KeywordList, or null for "remove the
 * attribute". The type comes from the payload's `type` metadata, else from `registeredType` (what the
 * namespace registered); a single-element array is unwrapped for a scalar type.
 *
 * @throws SearchAttributeError `invalid-value` for a non-JSON encoding, unparsable data, or an array of
 *   several values for a scalar type.
 */
export function decodeSearchAttributePayload(payload: PayloadLike, registeredType?: SearchAttributeType): unknown {
  const encoding = metadataText(payload, 'encoding');
  if (encoding === 'binary/null') return null;
  if (encoding !== 'json/plain') {
    throw new SearchAttributeError(
      'invalid-value',
      `search attribute payload has unsupported encoding ${encoding ?? '(none)'}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(payload.data ?? new Uint8Array(0)));
  } catch {
    throw new SearchAttributeError('invalid-value', 'search attribute payload is not valid JSON');
  }
  const typeName = metadataText(payload, 'type');
  const type = (typeName === undefined ? undefined : searchAttributeTypeFrom(typeName)) ?? registeredType;
  if (value === null || type === undefined) return value;
  if (type === 'KeywordList') return Array.isArray(value) ? value : [value];
  if (!Array.isArray(value)) return value;
  if (value.length === 0) return null;
  if (value.length === 1) return value[0] as unknown;
  throw new SearchAttributeError('invalid-value', `search attribute of type ${type} has ${value.length} values`);
}

/**
 * Encodes a decoded value back into the payload the SDKs expect (JSON with `type` metadata), for
 * describe/list responses. A Date is written as its ISO string.
 */
export function encodeSearchAttributePayload(
  value: unknown,
  type: SearchAttributeType,
): { metadata: Record<string, Uint8Array>; data: Uint8Array } {
  const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
  return { metadata: { encoding: encode('json/plain'), type: encode(type) }, data: encode(JSON.stringify(value)) };
}

function metadataText(payload: PayloadLike, key: string): string | undefined {
  const bytes = payload.metadata?.[key];
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}
