/**
 * Environment read once, loudly. A handler declares the variables it reads; the manifest test
 * checks that the manifest (and so CDK and the local stack) gives each function exactly those.
 */
export class MissingConfigError extends Error {
  override readonly name = 'MissingConfigError';
  constructor(variable: string) {
    super(`environment variable ${variable} is not set`);
  }
}

export function readEnv<const K extends string>(names: readonly K[], env: NodeJS.ProcessEnv = process.env): Readonly<Record<K, string>> {
  const out = {} as Record<K, string>;
  for (const name of names) {
    const value = env[name];
    if (value === undefined || value === '') throw new MissingConfigError(name);
    out[name] = value;
  }
  return out;
}

/** Reads `names` on first use and caches them (Lambda's init phase, once per container). */
export function lazyEnv<const K extends string>(names: readonly K[]): () => Readonly<Record<K, string>> {
  let cached: Readonly<Record<K, string>> | undefined;
  return () => (cached ??= readEnv(names));
}

export function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`environment variable ${name} must be a positive integer, got "${value}"`);
  return n;
}
