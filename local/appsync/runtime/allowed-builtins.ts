/**
 * The built-in objects and functions APPSYNC_JS supports, as AWS documents them: "Supported
 * runtime features", https://docs.aws.amazon.com/appsync/latest/devguide/supported-features.html
 * (the same list appears in the Events API guide, eventapi/runtime-supported-features.html).
 * The static check refuses every built-in not listed here; `section` names the heading each entry
 * is listed under.
 *
 * Where the page is ambiguous the stricter reading is taken (see `STRICTER_THAN_DOCS`): only what is
 * listed is allowed, so the global conversion functions (`String(x)`, `Number(x)`), `Array.isArray`,
 * `Date`, `parseInt`, constants such as `Math.PI` and every unlisted prototype method
 * (`.includes`, `.toString`, `.toFixed`, `.match`, …) are refused.
 */

/** Headings of supported-features.html, with their anchors. */
export const DOC_SECTIONS = {
  object: 'Primitive objects › Object (#primitive-objects)',
  string: 'Primitive objects › String (#primitive-objects)',
  number: 'Primitive objects › Number (#primitive-objects)',
  math: 'Built-in objects and functions › Math (#built-in-objects-functions)',
  array: 'Built-in objects and functions › Array (#built-in-objects-functions)',
  console: 'Built-in objects and functions › Console (#built-in-objects-functions)',
  json: 'Built-in objects and functions › JSON (#built-in-objects-functions)',
  globals: 'Globals (#globals)',
} as const;

export const SUPPORTED_FEATURES_URL = 'https://docs.aws.amazon.com/appsync/latest/devguide/supported-features.html';

export interface AllowedBuiltin {
  /** As the docs write it: `Object.keys`, `String.prototype.slice`, `NaN`. */
  readonly name: string;
  readonly section: (typeof DOC_SECTIONS)[keyof typeof DOC_SECTIONS];
  readonly note?: string;
}

const S = DOC_SECTIONS;

export const ALLOWED_BUILTINS: readonly AllowedBuiltin[] = [
  { name: 'Object.assign', section: S.object },
  { name: 'Object.entries', section: S.object },
  { name: 'Object.hasOwn', section: S.object },
  { name: 'Object.keys', section: S.object },
  { name: 'Object.values', section: S.object },

  // `String.prototype.length()` is listed as a method; it is the `length` property (never checked).
  { name: 'String.prototype.charAt', section: S.string },
  { name: 'String.prototype.concat', section: S.string },
  { name: 'String.prototype.endsWith', section: S.string },
  { name: 'String.prototype.indexOf', section: S.string },
  { name: 'String.prototype.lastIndexOf', section: S.string },
  { name: 'String.prototype.replace', section: S.string, note: 'no regular expressions; the pattern is a Java regex string' },
  { name: 'String.prototype.replaceAll', section: S.string, note: 'no regular expressions; the pattern is a Java regex string' },
  { name: 'String.prototype.slice', section: S.string },
  { name: 'String.prototype.split', section: S.string },
  { name: 'String.prototype.startsWith', section: S.string },
  { name: 'String.prototype.toLowerCase', section: S.string },
  { name: 'String.prototype.toUpperCase', section: S.string },
  { name: 'String.prototype.trim', section: S.string },
  { name: 'String.prototype.trimEnd', section: S.string },
  { name: 'String.prototype.trimStart', section: S.string },

  { name: 'Number.isFinite', section: S.number },
  { name: 'Number.isNaN', section: S.number },

  { name: 'Math.random', section: S.math },
  { name: 'Math.min', section: S.math },
  { name: 'Math.max', section: S.math },
  { name: 'Math.round', section: S.math },
  { name: 'Math.floor', section: S.math },
  { name: 'Math.ceil', section: S.math },

  { name: 'Array.prototype.concat', section: S.array },
  { name: 'Array.prototype.fill', section: S.array },
  { name: 'Array.prototype.flat', section: S.array },
  { name: 'Array.prototype.indexOf', section: S.array },
  { name: 'Array.prototype.join', section: S.array },
  { name: 'Array.prototype.lastIndexOf', section: S.array },
  { name: 'Array.prototype.pop', section: S.array },
  { name: 'Array.prototype.push', section: S.array },
  { name: 'Array.prototype.reverse', section: S.array },
  { name: 'Array.prototype.shift', section: S.array },
  { name: 'Array.prototype.slice', section: S.array },
  { name: 'Array.prototype.sort', section: S.array, note: "doesn't support arguments" },
  { name: 'Array.prototype.splice', section: S.array },
  { name: 'Array.prototype.unshift', section: S.array },
  { name: 'Array.prototype.forEach', section: S.array },
  { name: 'Array.prototype.map', section: S.array },
  { name: 'Array.prototype.flatMap', section: S.array },
  { name: 'Array.prototype.filter', section: S.array },
  { name: 'Array.prototype.reduce', section: S.array },
  { name: 'Array.prototype.reduceRight', section: S.array },
  { name: 'Array.prototype.find', section: S.array },
  { name: 'Array.prototype.some', section: S.array },
  { name: 'Array.prototype.every', section: S.array },
  { name: 'Array.prototype.findIndex', section: S.array },
  { name: 'Array.prototype.findLast', section: S.array },
  { name: 'Array.prototype.findLastIndex', section: S.array },

  { name: 'console.log', section: S.console },
  { name: 'console.error', section: S.console },

  { name: 'JSON.parse', section: S.json, note: 'returns "" for text that is not valid JSON' },
  { name: 'JSON.stringify', section: S.json },

  { name: 'NaN', section: S.globals },
  { name: 'Infinity', section: S.globals },
  { name: 'undefined', section: S.globals },
  { name: 'util', section: S.globals },
  { name: 'extensions', section: S.globals },
  { name: 'runtime', section: S.globals },
];

/** Documented as supported, refused here anyway (the stricter reading), and why. */
export const STRICTER_THAN_DOCS: readonly { readonly name: string; readonly reason: string }[] = [
  {
    name: 'String.raw',
    reason: "listed under Primitive objects › String, but @aws-appsync/eslint-plugin's no-disallowed-methods denies it",
  },
  { name: 'Array.prototype.sort(compareFn)', reason: "the docs say sort() doesn't support arguments: any argument is refused" },
];

/**
 * The array methods that may take a callback (`@aws-appsync/eslint-plugin` rule
 * `no-function-passing`); the docs list them under Array while saying functions may not be passed.
 */
export const CALLBACK_METHODS: ReadonlySet<string> = new Set([
  'map',
  'find',
  'filter',
  'findIndex',
  'findLast',
  'findLastIndex',
  'forEach',
  'reduce',
  'reduceRight',
  'every',
  'some',
  'flatMap',
]);
