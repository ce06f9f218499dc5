/**
 * Page colours from `verifier.frontend.colors` as CSS variables, with contrast guards: a
 * configured pair whose contrast ratio is below WCAG AA (4.5:1) is replaced by black or white,
 * whichever reads better, so a branding choice can never make the page unreadable.
 */
export interface ThemeColors {
  readonly primary: string;
  readonly primaryContrast: string;
  readonly secondary: string;
  readonly secondaryContrast: string;
}

const DEFAULTS: ThemeColors = { primary: '#2D58A7', primaryContrast: '#ffffff', secondary: '#14274A', secondaryContrast: '#00ADD3' };
const AA = 4.5;

/** `#rgb` / `#rrggbb` normalised to lower-case `#rrggbb`, or undefined. */
export function normalizeColor(v: string | undefined): string | undefined {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(v?.trim() ?? '');
  if (!m?.[1]) return undefined;
  const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return `#${hex.toLowerCase()}`;
}

function luminance(color: string): number {
  const channel = (i: number) => {
    const c = parseInt(color.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours (1–21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

function readableOn(background: string, preferred: string): string {
  if (contrastRatio(background, preferred) >= AA) return preferred;
  return contrastRatio(background, '#000000') >= contrastRatio(background, '#ffffff') ? '#000000' : '#ffffff';
}

export interface ResolvedTheme {
  primary: string;
  onPrimary: string;
  secondary: string;
  onSecondary: string;
  /** Link colour on the white card. */
  link: string;
}

export function resolveTheme(colors: Partial<ThemeColors> | undefined): ResolvedTheme {
  const primary = normalizeColor(colors?.primary) ?? normalizeColor(DEFAULTS.primary)!;
  const secondary = normalizeColor(colors?.secondary) ?? normalizeColor(DEFAULTS.secondary)!;
  const onPrimary = readableOn(primary, normalizeColor(colors?.primaryContrast) ?? '#ffffff');
  const onSecondary = readableOn(secondary, normalizeColor(colors?.secondaryContrast) ?? '#ffffff');
  const white = '#ffffff';
  const link = contrastRatio(primary, white) >= AA ? primary : contrastRatio(secondary, white) >= AA ? secondary : '#1a1a1a';
  return { primary, onPrimary, secondary, onSecondary, link };
}
