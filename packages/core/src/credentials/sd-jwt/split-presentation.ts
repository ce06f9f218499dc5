/**
 * Step 1 — split `<issuer-jwt>~<d1>~…~<dn>~<kb-jwt>` (RFC 9901 §4). The text after the last `~`
 * is the KB-JWT and is REQUIRED here; every part between is one non-empty disclosure. Length and
 * count are capped before anything is decoded.
 */
import type { Step } from '../../shared/pipeline.ts';
import type { SdJwtContext } from './context.ts';
import { sdJwtFail } from './errors.ts';

export const splitPresentation: Step<SdJwtContext> = {
  name: 'sd-jwt-split',
  run({ input, limits, state }) {
    const text = input.presentation;
    if (typeof text !== 'string' || text.length === 0) sdJwtFail('PRESENTATION_MALFORMED', 'the SD-JWT presentation is empty');
    if (text.length > limits.maxLength) sdJwtFail('PRESENTATION_TOO_LARGE', `the SD-JWT presentation exceeds ${limits.maxLength} characters`);
    const last = text.lastIndexOf('~');
    if (last === -1) sdJwtFail('PRESENTATION_MALFORMED', 'the SD-JWT presentation has no "~" separator');
    const parts = text.slice(0, last).split('~');
    if (parts.length - 1 > limits.maxDisclosures) sdJwtFail('PRESENTATION_TOO_LARGE', `the SD-JWT presentation has more than ${limits.maxDisclosures} disclosures`);
    const [issuerJwt, ...disclosures] = parts;
    if (!issuerJwt) sdJwtFail('PRESENTATION_MALFORMED', 'the SD-JWT presentation has no issuer JWT');
    disclosures.forEach((d, i) => {
      if (d.length === 0) sdJwtFail('PRESENTATION_MALFORMED', `disclosure #${i + 1} is empty ("~~")`);
      if (d.length > limits.maxDisclosureLength) sdJwtFail('PRESENTATION_TOO_LARGE', `disclosure #${i + 1} exceeds ${limits.maxDisclosureLength} characters`);
    });
    const kb = text.slice(last + 1);
    if (kb.length === 0) sdJwtFail('KEY_BINDING_MISSING', 'the SD-JWT presentation has no Key Binding JWT after the last "~"');
    state.issuerJwtText = issuerJwt;
    state.encodedDisclosures = disclosures;
    state.kbJwtText = kb;
    state.sdHashInput = text.slice(0, last + 1);
  },
};
