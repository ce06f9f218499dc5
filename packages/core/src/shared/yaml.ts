/**
 * YAML from trust services, bounded before any recursive work is done on it.
 *
 * The `yaml` package lexes and builds its CST iteratively, but composes documents and converts
 * them to JS recursively: a 200 KB `[[[…]]]` list blocked the event loop ≈ 0.8–1.4 s per parse,
 * overflowed the stack, and on Node 20 the second such parse in one process aborted it
 * (`FATAL ERROR: RegExpCompiler Allocation failed`). So the text is capped in size, then the
 * package's own lexer and CST parser are driven token by token and the parse stops as soon as
 * more than `maxDepth` collections (block or flow) are open on the CST stack. Quotes, comments and block scalars are therefore read exactly as the parser reads
 * them (no separate scanner to fool), the work before refusal is linear in the bytes read, and
 * only a document within the caps reaches the (recursive) composer, which reuses the CST.
 */
import { Composer, Lexer, Parser, type CST, type Document } from 'yaml';

/** Nesting allowed in trust-service YAML; real lists nest ≤ 6 (TSL: clients → entry → redirectUris). */
export const DEFAULT_MAX_YAML_DEPTH = 32;

export class YamlInputError extends Error {
  override name = 'YamlInputError';
  readonly reason: 'too_large' | 'depth' | 'syntax' | 'multiple_documents';
  constructor(reason: YamlInputError['reason'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

export interface ParseYamlOptions {
  /** Names the document in error messages (`revoked credential list nests deeper than 32 levels`). */
  name: string;
  /** Characters of text accepted (checked before lexing). */
  maxLength: number;
  /** Deepest nesting of collections (block or flow) accepted; default 32. */
  maxDepth?: number;
  /** Alias expansion cap (billion laughs), passed to `yaml`. */
  maxAliasCount: number;
}

const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);
const collections = (stack: readonly CST.Token[]) => stack.reduce((n, t) => (COLLECTIONS.has(t.type) ? n + 1 : n), 0);

function* cappedTokens(text: string, maxDepth: number, name: string): Generator<CST.Token> {
  const parser = new Parser();
  for (const lexeme of new Lexer().lex(text)) {
    yield* parser.next(lexeme);
    // Below the document the stack holds open collections and at most the scalar being read on
    // top, so the exact count is needed only once the stack is longer than the cap allows.
    if (parser.stack.length - 1 > maxDepth && collections(parser.stack) > maxDepth) {
      throw new YamlInputError('depth', `${name} nests deeper than ${maxDepth} levels`);
    }
  }
  yield* parser.end();
}

/**
 * Parses one YAML document (YAML 1.2 core schema, like `yaml.parse`) within the caps; throws
 * YamlInputError for any text that exceeds them or is not well-formed YAML.
 */
export function parseYamlBounded(text: string, options: ParseYamlOptions): unknown {
  const { name } = options;
  if (text.length > options.maxLength) throw new YamlInputError('too_large', `${name} is longer than ${options.maxLength} characters`);
  const composer = new Composer();
  let doc: Document.Parsed | undefined;
  for (const d of composer.compose(cappedTokens(text, options.maxDepth ?? DEFAULT_MAX_YAML_DEPTH, name), true, text.length)) {
    if (doc) throw new YamlInputError('multiple_documents', `${name} holds more than one YAML document`);
    doc = d;
  }
  const first = doc?.errors[0];
  if (first) throw new YamlInputError('syntax', `${name} is not valid YAML: ${first.message.split('\n')[0]}`, { cause: first });
  try {
    return doc?.toJS({ maxAliasCount: options.maxAliasCount }) ?? null;
  } catch (e) {
    throw new YamlInputError('syntax', `${name} cannot be read: ${(e as Error).message}`, { cause: e });
  }
}
