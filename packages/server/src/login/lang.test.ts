import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestAcceptedLang, pickLang } from './lang.ts';

test('?lang= wins over Accept-Language and the default', () => {
  assert.equal(pickLang('ca', 'es-ES,es;q=0.9', 'en'), 'ca');
  assert.equal(pickLang('ES', undefined, 'en'), 'es');
  assert.equal(pickLang('es-ES', undefined, 'en'), 'es');
});

test('an unsupported ?lang= falls through to Accept-Language, then the default', () => {
  assert.equal(pickLang('fr', 'es-ES,es;q=0.9', 'en'), 'es');
  assert.equal(pickLang('xx', undefined, 'ca'), 'ca');
  assert.equal(pickLang(undefined, undefined, 'en'), 'en');
  assert.equal(pickLang('', '', 'es'), 'es');
});

test('Accept-Language: highest q among supported languages; first listed on ties; q=0 excluded', () => {
  assert.equal(bestAcceptedLang('es-ES,es;q=0.9'), 'es');
  assert.equal(bestAcceptedLang('fr-FR,fr;q=0.9,ca;q=0.8,en;q=0.7'), 'ca');
  assert.equal(bestAcceptedLang('en;q=0.5, es;q=0.8'), 'es');
  assert.equal(bestAcceptedLang('ca, es'), 'ca');
  assert.equal(bestAcceptedLang('es;q=0, en;q=0.1'), 'en');
  assert.equal(bestAcceptedLang('CA-es'), 'ca');
  assert.equal(bestAcceptedLang('de, fr;q=0.5, *;q=0.1'), undefined);
  assert.equal(bestAcceptedLang('es;q=abc'), 'es');
  assert.equal(bestAcceptedLang(undefined), undefined);
});
