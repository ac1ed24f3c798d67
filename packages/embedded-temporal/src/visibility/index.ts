export { compileListQuery, type CompiledListQuery, type OrderTerm, type SortKey } from './compile.js';
export {
  ListQueryError,
  SearchAttributeError,
  type ListQueryErrorReason,
  type SearchAttributeErrorReason,
} from './errors.js';
export { decodePageToken, encodePageToken, listPage } from './page-token.js';
export { decodeSearchAttributePayload, encodeSearchAttributePayload, type PayloadLike } from './payload.js';
export {
  EXECUTION_STATUS_NAMES,
  executionStatusNumber,
  type ExecutionStatusName,
  type VisibilityRecord,
} from './record.js';
export {
  indexedValueType,
  searchAttributeTypeFrom,
  SearchAttributeRegistry,
  type SearchAttributeType,
} from './search-attributes.js';
export { MAX_QUERY_DEPTH, MAX_QUERY_LENGTH } from './parser.js';
