/** `message` for a plain Error, `Name: message` for a named one, `String(x)` for anything else. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}
