/**
 * What each pipeline step needs from the steps before it. Each entry mirrors the guard at the
 * top of the step (`if (!state.credential) return;` and so on): when the guard would return
 * silently, inspection reports the step as not run. The tests check that every step of the
 * pipelines has an entry here.
 */
import type { PresentationContext } from '../credentials/context.ts';
import type { ClientAuthContext } from '../oauth/client-auth/context.ts';
import type { AuthorizeContext } from '../oauth/authorize/context.ts';
import type { Prerequisite, Prerequisites } from './run-checks.ts';

/** Presentation and credential steps. `parseStep` is the step that decodes the VP and its VC. */
export function presentationPrerequisites(parseStep = 'parse-presentation'): Prerequisites<PresentationContext> {
  const vp: Prerequisite<PresentationContext> = { step: parseStep, present: (c) => c.state.vp !== undefined };
  const vc: Prerequisite<PresentationContext> = { step: parseStep, present: (c) => c.state.vc !== undefined };
  const credential: Prerequisite<PresentationContext> = { step: 'credential-type', present: (c) => c.state.credential !== undefined };
  return {
    [parseStep]: [],
    'presentation-session': [vp],
    'credential-type': [vc],
    'credential-format': [vc, credential],
    'credential-time': [vc, credential],
    'presentation-time': [vp],
    'holder-binding': [vp, vc, credential],
    'issuer-trusted': [credential],
    'claim-restrictions': [credential, { step: 'issuer-trusted', present: (c) => c.state.issuerRecord !== undefined }],
    'vc-signature': [vc, credential],
    // The server fetches no URL named by a credential before its signature has been verified
    // (status lists); inspection keeps that order.
    revocation: [credential, { step: 'vc-signature' }],
    'mandator-trusted': [credential],
  };
}

const assertion: Prerequisite<ClientAuthContext> = { step: 'parse-client-assertion', present: (c) => c.state.assertion !== undefined };
const client: Prerequisite<ClientAuthContext> = { step: 'find-client', present: (c) => c.state.client !== undefined };

export const CLIENT_AUTH_PREREQUISITES: Prerequisites<ClientAuthContext> = {
  'parse-client-assertion': [],
  // Reads the client_id parameter (the assertion iss): runs even when the assertion does not parse.
  'find-client': [],
  'assertion-header': [assertion, client],
  'assertion-claims': [assertion, client],
  'resolve-client-key': [assertion, client],
  'assertion-signature': [assertion, { step: 'resolve-client-key', present: (c) => c.state.candidateKeys !== undefined }],
  'assertion-replay': [assertion, client],
};

const registered: Prerequisite<AuthorizeContext> = { step: 'authorize-client', present: (c) => c.state.client !== undefined };
/** The parameters the later steps read are those of the verified request object. */
const requestObject: Prerequisite<AuthorizeContext> = { step: 'request-object' };

export const AUTHORIZE_PREREQUISITES: Prerequisites<AuthorizeContext> = {
  'authorize-client': [],
  'request-object': [registered],
  'redirect-uri': [registered, requestObject],
  'response-type': [requestObject],
  scope: [requestObject],
  'state-nonce': [requestObject],
  pkce: [registered, requestObject],
};
