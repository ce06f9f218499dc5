/**
 * Spring property placeholders in configuration values: `${NAME}` and `${NAME:default}`, nested
 * (`${A:${B:x}}`), resolved against the environment and the other properties. IN2 operators'
 * `application.yaml` files use them (`privateKey: ${PRIVATE_KEY}`), so they keep working here.
 */

export class UnresolvedPlaceholderError extends Error {
  override name = 'UnresolvedPlaceholderError';
  /** The placeholder name (never a value). */
  readonly placeholder: string;
  constructor(placeholder: string, reason: string) {
    super(reason);
    this.placeholder = placeholder;
  }
}

const MAX_DEPTH = 8;

/** Index of the `}` closing the placeholder whose body starts at `from`, or -1. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text.startsWith('${', i)) {
      depth++;
      i++;
    } else if (text[i] === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** Index of the first `:` of a placeholder body outside nested placeholders, or -1. */
function separator(body: string): number {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    if (body.startsWith('${', i)) {
      depth++;
      i++;
    } else if (body[i] === '}') depth--;
    else if (body[i] === ':' && depth === 0) return i;
  }
  return -1;
}

/**
 * Replaces every `${…}` in `text`. `lookup` returns a property's raw value or undefined; an
 * unresolvable placeholder without default throws `UnresolvedPlaceholderError`. Text without a
 * closing `}` is kept as is.
 */
export function resolvePlaceholders(text: string, lookup: (name: string) => string | undefined, depth = 0): string {
  if (!text.includes('${')) return text;
  if (depth > MAX_DEPTH) throw new UnresolvedPlaceholderError('', 'placeholders nested too deeply (circular reference?)');
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    const end = start < 0 ? -1 : closingBrace(text, start + 2);
    if (end < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    const body = text.slice(start + 2, end);
    const sep = separator(body);
    const name = resolvePlaceholders((sep < 0 ? body : body.slice(0, sep)).trim(), lookup, depth + 1);
    const value = lookup(name) ?? (sep < 0 ? undefined : body.slice(sep + 1));
    if (value === undefined) throw new UnresolvedPlaceholderError(name, `placeholder \${${name}} cannot be resolved`);
    out += resolvePlaceholders(value, lookup, depth + 1);
    i = end + 1;
  }
  return out;
}
