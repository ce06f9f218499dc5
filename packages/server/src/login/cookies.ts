/** Reading cookies from a raw `Cookie` header (RFC 6265 §5.4), without a cookie plugin. */

/**
 * Every value of the cookie `name`, in header order (a browser may send several cookies with the
 * same name, e.g. set for different paths). Surrounding double quotes are removed; values are
 * not URL-decoded (login bindings are base64url). At most `max` values, each ≤ `maxLength` chars.
 */
export function cookieValues(header: string | string[] | undefined, name: string, max = 4, maxLength = 256): string[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join('; ') : header;
  const out: string[] = [];
  for (const pair of text.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (value === '' || value.length > maxLength) continue;
    out.push(value);
    if (out.length >= max) break;
  }
  return out;
}
