/** Id arguments checked as the domain checks ids (LIMITS.idPattern in domain/validation.ts). */
import { util } from '@aws-appsync/utils';

/** Java regex for `util.matches` (the whole value must match): the domain's id pattern. */
export const ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

/** A ValidationError naming `field` unless `value` is a well-formed id. */
export function checkId(value: string, field: string): void {
  if (!util.matches(ID_PATTERN, value)) util.error(field + ': must be 1–64 characters of letters, digits, "-" or "_"', 'ValidationError');
}
