import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contrastRatio, normalizeColor, resolveTheme } from './theme.ts';

test('normalizeColor accepts #rgb and #rrggbb only', () => {
  assert.equal(normalizeColor('#ABC'), '#aabbcc');
  assert.equal(normalizeColor('#2D58A7'), '#2d58a7');
  for (const bad of ['red', '#12', 'url(x)', '#2D58A7;}body{', undefined]) assert.equal(normalizeColor(bad), undefined);
});

test('DOME defaults are kept; unreadable pairs are replaced by black or white', () => {
  const t = resolveTheme({ primary: '#2D58A7', primaryContrast: '#ffffff', secondary: '#14274A', secondaryContrast: '#00ADD3' });
  assert.deepEqual(t, { primary: '#2d58a7', onPrimary: '#ffffff', secondary: '#14274a', onSecondary: '#00add3', link: '#2d58a7' });
  const low = resolveTheme({ primary: '#ffff00', primaryContrast: '#ffffff', secondary: '#eeeeee', secondaryContrast: '#ffffff' });
  assert.equal(low.onPrimary, '#000000');
  assert.equal(low.onSecondary, '#000000');
  assert.equal(low.link, '#1a1a1a');
  assert.equal(resolveTheme({ primary: 'x;}', secondary: '' }).primary, '#2d58a7');
  assert.ok(Math.abs(contrastRatio('#000000', '#ffffff') - 21) < 1e-9);
});
