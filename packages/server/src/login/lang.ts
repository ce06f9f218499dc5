/** Language of the login pages: `?lang=` wins, then the best `Accept-Language` match, then the configured default. */
import { isLang, type Lang } from './messages.ts';

export function pickLang(query: string | undefined, acceptLanguage: string | undefined, defaultLang: Lang): Lang {
  const fromQuery = query?.trim().toLowerCase().split(/[-_]/)[0];
  if (isLang(fromQuery)) return fromQuery;
  return bestAcceptedLang(acceptLanguage) ?? defaultLang;
}

/** The supported language with the highest q-value in an `Accept-Language` header (RFC 9110 §12.5.4). */
export function bestAcceptedLang(header: string | undefined): Lang | undefined {
  if (!header || header.length > 1024) return undefined;
  let best: { lang: Lang; q: number } | undefined;
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim());
    let q = 1;
    for (const p of params) {
      const m = /^q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/i.exec(p);
      if (m?.[1] !== undefined) q = Number(m[1]);
    }
    const primary = range.toLowerCase().split('-')[0];
    // Strictly greater: among equal q-values the first listed wins.
    if (q > 0 && isLang(primary) && (!best || q > best.q)) best = { lang: primary, q };
  }
  return best?.lang;
}
