/**
 * QR code of the OpenID4VP request as inline SVG (qrcode-generator, error correction M, type
 * number chosen automatically). The SVG is built from the module matrix here rather than with
 * the library's `createSvgTag`, so that the markup is ours: one path, a 4-module quiet zone,
 * `role="img"` with a `<title>` as its text alternative, and no inline `style` (blocked by the CSP).
 */
import qrcode from 'qrcode-generator';
import { escapeHtml } from './escape-html.ts';

declare global {
  // qrcode-generator's typings mention this DOM type (renderTo2dContext); the server has no DOM lib.
  interface CanvasRenderingContext2D {}
}

const QUIET_ZONE = 4;

/**
 * The SVG, or undefined when `text` does not fit in a QR code (more than 2331 bytes at level M;
 * level L, 2953 bytes, is tried before giving up). `text` must be ASCII: the library's default
 * byte encoding keeps only the low 8 bits of each UTF-16 unit.
 */
export function qrSvg(text: string, label: string, id = 'dv-qr'): string | undefined {
  let matrix: { getModuleCount(): number; isDark(r: number, c: number): boolean } | undefined;
  for (const level of ['M', 'L'] as const) {
    try {
      const qr = qrcode(0, level);
      qr.addData(text, 'Byte');
      qr.make();
      matrix = qr;
      break;
    } catch {
      // code length overflow: try a lower error-correction level
    }
  }
  if (!matrix) return undefined;
  const n = matrix.getModuleCount();
  const size = n + QUIET_ZONE * 2;
  let d = '';
  for (let r = 0; r < n; r++) {
    // Runs of dark modules become one rectangle each: a third of the path length of per-module squares.
    for (let c = 0; c < n; c++) {
      if (!matrix.isDark(r, c)) continue;
      let end = c + 1;
      while (end < n && matrix.isDark(r, end)) end++;
      d += `M${c + QUIET_ZONE} ${r + QUIET_ZONE}h${end - c}v1h-${end - c}z`;
      c = end;
    }
  }
  const titleId = `${id}-title`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" id="${escapeHtml(id)}" class="qr" viewBox="0 0 ${size} ${size}" ` +
    `role="img" aria-labelledby="${escapeHtml(titleId)}" shape-rendering="crispEdges">` +
    `<title id="${escapeHtml(titleId)}">${escapeHtml(label)}</title>` +
    `<rect width="${size}" height="${size}" fill="#ffffff"/>` +
    `<path d="${d}" fill="#000000"/></svg>`
  );
}
