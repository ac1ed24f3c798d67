/** What a caller may do; `research:admin` includes every other scope, also those later routes add. */
export const SCOPES = ['research:submit', 'research:read', 'research:approve', 'research:admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const ADMIN_SCOPE: Scope = 'research:admin';

const KNOWN: ReadonlySet<string> = new Set(SCOPES);

/** Whether `granted` allows `required`. */
export function allows(granted: readonly Scope[], required: Scope): boolean {
  return granted.includes(required) || granted.includes(ADMIN_SCOPE);
}

/** The known scopes among `values` (unknown ones, e.g. an identity provider's `openid`, are dropped). */
export function knownScopes(values: readonly string[]): Scope[] {
  return [...new Set(values.filter((value): value is Scope => KNOWN.has(value)))];
}
