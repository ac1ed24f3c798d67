/** True for a Node.js system error with the given code (ENOENT, EEXIST, ...). */
export function hasErrorCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

export const isNotFound = (err: unknown): boolean => hasErrorCode(err, 'ENOENT');
