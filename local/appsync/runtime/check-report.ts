/** Violations of the APPSYNC_JS static check: where each is, how it is reported and thrown. */

export interface Violation {
  /** Source file (the resolver's own file when the bundle's source map knows it). */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Short rule id, e.g. `no-try`, `unsupported-builtin`. */
  readonly rule: string;
  readonly message: string;
}

export class UnsupportedResolverFeatureError extends Error {
  override readonly name = 'UnsupportedResolverFeatureError';
  constructor(
    readonly file: string,
    readonly violations: readonly Violation[],
  ) {
    super(
      `${file}: ${violations.length} feature(s) not supported by APPSYNC_JS or by the local runtime:\n` +
        violations.map((v) => `  ${v.file}:${v.line}:${v.column} [${v.rule}] ${v.message}`).join('\n'),
    );
  }
}

/** Maps a bundle position (1-based line, 0-based column) to the original source, if known. */
export type MapLocation = (line: number, column: number) => { file: string; line: number; column: number } | null;

/** Anything with an acorn location; `null` reports at the start of the bundle. */
export type Located = { loc?: { start: { line: number; column: number } } | null } | null;

export type Report = (node: Located, rule: string, message: string) => void;

/** Collects violations, mapped back to the resolver source where the source map knows it. */
export function createReporter(file: string, mapLocation?: MapLocation): { report: Report; violations: () => Violation[] } {
  const found: Violation[] = [];
  const report: Report = (node, rule, message) => {
    const start = node?.loc?.start ?? { line: 1, column: 0 };
    const mapped = mapLocation?.(start.line, start.column) ?? null;
    found.push(
      mapped !== null
        ? { file: mapped.file, line: mapped.line, column: mapped.column, rule, message }
        : { file, line: start.line, column: start.column + 1, rule, message },
    );
  };
  // Bundles list helpers before use, but report in source order regardless.
  const violations = () => [...found].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { report, violations };
}
