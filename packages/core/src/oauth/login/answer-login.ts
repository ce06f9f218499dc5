/**
 * Answering a login (issue #9 item 5), shared by every wallet leg (DOME `/oid4vp/auth-response`,
 * FIWARE `/api/v1/authentication_response`): the login must be pending and unexpired; the answer
 * takes the login's lease (another answer meanwhile: 409 `ERR_LOGIN_ANSWER_IN_PROGRESS` with
 * `Retry-After`); the presentation is judged by `verify`; a judged failure (< 500) ends the login,
 * an unavailable trust service (≥ 500) gives the lease back so that the wallet may retry. On
 * success the holder checks its lease is still its own (fencing), issues the authorization code
 * and writes the login's outcome — the final transition, set once: a holder that loses it
 * discards its code (`ERR_LOGIN_ALREADY_ANSWERED`), so only one code per login is ever delivered.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';
import { discardAuthorizationCode, issueAuthorizationCode, type CodeRecord } from '../authorize/authorization-codes.ts';
import type { LoginSession, LoginSessions } from './login-sessions.ts';

export interface AnswerLoginDeps {
  readonly clock: Clock;
  readonly store: Store;
  readonly logins: LoginSessions;
}

/** What a verified answer grants: the code record, without its expiry. */
export type VerifiedAnswer = Omit<CodeRecord, 'expiresAt'>;

export async function answerLogin(
  deps: AnswerLoginDeps,
  session: LoginSession,
  verify: () => Promise<VerifiedAnswer>,
  redirectOf: (code: string) => string,
): Promise<{ redirectTo: string; code: string }> {
  if (deps.clock.now() >= session.expiresAt) throw new VerifierError('ERR_LOGIN_EXPIRED', 'the login session has expired');
  const answered = () => new VerifierError('ERR_LOGIN_ALREADY_ANSWERED', 'this login session was already answered');
  if (session.status !== 'pending') throw answered();
  const claim = await deps.logins.claim(session.id);
  if (!claim.ok) {
    const seconds = Math.max(1, Math.ceil(claim.retryAfterMs / 1000));
    throw new VerifierError('ERR_LOGIN_ANSWER_IN_PROGRESS', `another answer to this login is being verified; retry in ${seconds} s`, { retryAfterSeconds: seconds });
  }
  const { lease } = claim;
  let record: VerifiedAnswer;
  try {
    record = await verify();
  } catch (e) {
    // A judged presentation ends the login; an unavailable trust service does not: the wallet may retry.
    if (e instanceof VerifierError && e.status < 500) await deps.logins.fail(session.id, e.message, e.code);
    else await deps.logins.release(session.id, lease);
    throw e;
  }
  // Fencing: a holder whose lease lapsed and was taken over issues nothing.
  if (!(await deps.logins.holds(session.id, lease))) throw answered();
  const code = await issueAuthorizationCode(deps.store, deps.clock, record);
  const redirectTo = redirectOf(code);
  // The final transition: exactly one answer writes the outcome; any other code is never delivered.
  if (!(await deps.logins.complete(session.id, redirectTo))) {
    await discardAuthorizationCode(deps.store, code);
    throw answered();
  }
  return { redirectTo, code };
}
