import { SearchAttributeError } from './errors.js';

/** Search attribute types, spelled as in payload metadata and `temporal operator search-attribute`. */
export type SearchAttributeType = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

/** `temporal.api.enums.v1.IndexedValueType` numbers, for the gRPC layer. */
const INDEXED_VALUE_TYPES: Record<SearchAttributeType, number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

/** The `IndexedValueType` enum number of a type. */
export function indexedValueType(type: SearchAttributeType): number {
  return INDEXED_VALUE_TYPES[type];
}

/**
 * The type for an `IndexedValueType` number or name (`Keyword`, `INDEXED_VALUE_TYPE_KEYWORD`); undefined for
 * UNSPECIFIED or anything unknown.
 */
export function searchAttributeTypeFrom(value: number | string): SearchAttributeType | undefined {
  for (const [type, n] of Object.entries(INDEXED_VALUE_TYPES) as Array<[SearchAttributeType, number]>) {
    if (value === n || value === type || value === `INDEXED_VALUE_TYPE_${screamingSnake(type)}`) return type;
  }
  return undefined;
}

const screamingSnake = (type: string): string => type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

/** Attributes held in {@link VisibilityRecord} fields rather than in its `searchAttributes`. */
export const RECORD_FIELD_ATTRIBUTES: Readonly<Record<string, SearchAttributeType>> = {
  WorkflowId: 'Keyword',
  RunId: 'Keyword',
  WorkflowType: 'Keyword',
  TaskQueue: 'Keyword',
  ExecutionStatus: 'Keyword',
  StartTime: 'Datetime',
  CloseTime: 'Datetime',
  ExecutionTime: 'Datetime',
  HistoryLength: 'Int',
};

/** Attributes the server predefines that SDKs set through search attributes (versioning, schedules). */
const PREDEFINED_ATTRIBUTES: Readonly<Record<string, SearchAttributeType>> = {
  TemporalChangeVersion: 'KeywordList',
  BinaryChecksums: 'KeywordList',
  BuildIds: 'KeywordList',
  BatcherUser: 'Keyword',
  TemporalScheduledStartTime: 'Datetime',
  TemporalScheduledById: 'Keyword',
  TemporalSchedulePaused: 'Bool',
  TemporalNamespaceDivision: 'Keyword',
};

const SYSTEM_ATTRIBUTES: Readonly<Record<string, SearchAttributeType>> = {
  ...RECORD_FIELD_ATTRIBUTES,
  ...PREDEFINED_ATTRIBUTES,
};

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The search attributes a namespace knows: the system ones plus custom ones registered through
 * `OperatorService.AddSearchAttributes` (or the constructor). Names are case-sensitive, as in Temporal.
 */
export class SearchAttributeRegistry {
  private readonly custom = new Map<string, SearchAttributeType>();

  constructor(custom: Record<string, SearchAttributeType> = {}) {
    for (const [name, type] of Object.entries(custom)) this.add(name, type);
  }

  /** The type of a system or custom attribute; undefined when unknown. */
  typeOf(name: string): SearchAttributeType | undefined {
    return Object.hasOwn(SYSTEM_ATTRIBUTES, name) ? SYSTEM_ATTRIBUTES[name] : this.custom.get(name);
  }

  isSystem(name: string): boolean {
    return Object.hasOwn(SYSTEM_ATTRIBUTES, name);
  }

  /**
   * Registers a custom attribute; adding an existing one with the same type is a no-op.
   * @throws SearchAttributeError `reserved` for a system name or the `Temporal` prefix, `conflict` when the
   *   name exists with another type, `invalid-name` for a name that is not an identifier.
   */
  add(name: string, type: SearchAttributeType): void {
    if (!NAME.test(name)) {
      throw new SearchAttributeError('invalid-name', `search attribute name ${JSON.stringify(name)} is not valid`);
    }
    if (this.isSystem(name) || name.startsWith('Temporal')) {
      throw new SearchAttributeError('reserved', `search attribute ${name} is reserved by the system`);
    }
    const existing = this.custom.get(name);
    if (existing !== undefined && existing !== type) {
      throw new SearchAttributeError('conflict', `search attribute ${name} already exists with type ${existing}`);
    }
    if (searchAttributeTypeFrom(type) === undefined) {
      throw new SearchAttributeError('invalid-value', `unknown search attribute type ${String(type)}`);
    }
    this.custom.set(name, type);
  }

  /** Removes a custom attribute; returns whether it existed. System attributes cannot be removed. */
  remove(name: string): boolean {
    return this.custom.delete(name);
  }

  /** Every known attribute by kind, as `GetSearchAttributes`/`ListSearchAttributes` report them. */
  list(): { system: Record<string, SearchAttributeType>; custom: Record<string, SearchAttributeType> } {
    return { system: { ...SYSTEM_ATTRIBUTES }, custom: Object.fromEntries(this.custom) };
  }
}
