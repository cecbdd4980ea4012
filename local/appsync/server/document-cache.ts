/**
 * Parsed and validated documents, kept by query text. Clients send the same few documents over
 * and over (codegen'd operations), and parsing plus validating one cost as much as running it.
 * Validation depends on the document and the schema only (not on variables, operation name or
 * caller), so one cache belongs to one schema; what fails to parse or validate is kept too, with
 * the errors already in AppSync's shape, and answers the same every time.
 */
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { formatSyntaxError, formatValidationError, type AppSyncErrorJson } from './errors.js';

/** Documents kept per schema. @default 500 */
export const DEFAULT_DOCUMENT_CACHE_ENTRIES = 500;
/** Longer query texts are parsed every time rather than kept (bounds the cache's memory). @default 64 KiB of text */
export const MAX_CACHED_QUERY_LENGTH = 64 * 1024;

export type CheckedDocument =
  { readonly ok: true; readonly document: DocumentNode } | { readonly ok: false; readonly errors: readonly AppSyncErrorJson[] };

export interface DocumentCacheOptions {
  /** @default DEFAULT_DOCUMENT_CACHE_ENTRIES */
  readonly maxEntries?: number;
}

/** A least-recently-used map from query text to its checked document, for one schema. */
export class DocumentCache {
  private readonly entries = new Map<string, CheckedDocument>();
  private readonly maxEntries: number;
  private parses = 0;

  constructor(
    readonly schema: GraphQLSchema,
    options: DocumentCacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? DEFAULT_DOCUMENT_CACHE_ENTRIES;
  }

  /** Documents held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Query texts parsed (cache misses) since the cache was made. */
  get parseCount(): number {
    return this.parses;
  }

  /** Parses and validates `query`, or answers what it answered last time for the same text. */
  check(query: string): CheckedDocument {
    const hit = this.entries.get(query);
    if (hit !== undefined) {
      // Re-insert: a Map iterates in insertion order, so its first key is the least recently used.
      this.entries.delete(query);
      this.entries.set(query, hit);
      return hit;
    }
    const checked = this.parseAndValidate(query);
    if (query.length <= MAX_CACHED_QUERY_LENGTH && this.maxEntries > 0) {
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) this.entries.delete(oldest.value);
      }
      this.entries.set(query, checked);
    }
    return checked;
  }

  private parseAndValidate(query: string): CheckedDocument {
    this.parses += 1;
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (err) {
      if (err instanceof GraphQLError) return Object.freeze({ ok: false, errors: Object.freeze([formatSyntaxError(err)]) });
      throw err;
    }
    const validationErrors = validate(this.schema, document);
    if (validationErrors.length > 0) {
      return Object.freeze({ ok: false, errors: Object.freeze(validationErrors.map((e) => formatValidationError(e, document))) });
    }
    // graphql-js never mutates a document; freezing the top level guards the shared object anyway.
    return Object.freeze({ ok: true, document: Object.freeze(document) });
  }
}
