import { test } from 'node:test';
import assert from 'node:assert/strict';
import qrcode from 'qrcode-generator';
import { qrSvg } from './qr.ts';

const AUTH = 'openid4vp://?client_id=did%3Akey%3AzDnaeVYnWTZu5nbrH1qmBVMvNwSrtKnkRbCZ4xH5h2LQPnzdr&request_uri=https%3A%2F%2Fverifier.dome-marketplace.eu%2Foid4vp%2Fauth-request%2F3f1c';

test('renders an accessible SVG whose dark modules match the QR matrix (level M, auto type)', () => {
  const svg = qrSvg(AUTH, 'QR code <to> log in');
  assert.ok(svg);
  assert.match(svg, /^<svg [^>]*role="img" aria-labelledby="dv-qr-title"/);
  assert.match(svg, /<title id="dv-qr-title">QR code &lt;to&gt; log in<\/title>/);
  assert.doesNotMatch(svg, /style=/);
  const ref = qrcode(0, 'M');
  ref.addData(AUTH, 'Byte');
  ref.make();
  const n = ref.getModuleCount();
  assert.match(svg, new RegExp(`viewBox="0 0 ${n + 8} ${n + 8}"`));
  // Rebuild the matrix from the path's runs and compare it with the library's.
  const d = /<path d="([^"]*)"/.exec(svg)?.[1] ?? '';
  const dark = new Set<string>();
  for (const m of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    const [x, y, w] = [Number(m[1]) - 4, Number(m[2]) - 4, Number(m[3])];
    for (let i = 0; i < w; i++) dark.add(`${y},${x + i}`);
  }
  let expected = 0;
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (ref.isDark(r, c)) { expected++; assert.ok(dark.has(`${r},${c}`), `${r},${c}`); }
  assert.equal(dark.size, expected);
});

test('data too long for a QR code gives undefined instead of throwing', () => {
  assert.ok(qrSvg(`openid4vp://?${'a'.repeat(2500)}`, 'x'), 'fits at level L');
  assert.equal(qrSvg(`openid4vp://?${'a'.repeat(4000)}`, 'x'), undefined);
});
