/**
 * Token endpoint answers (RFC 6749 §5.1, FIWARE's TokenResponse) serialized without
 * JSON.stringify's escape scan over the tokens: access, ID and refresh tokens are compact JWS
 * or base64url random strings of our own making, which need no JSON escaping, and the FIWARE
 * answer carries its ≈ 5 KB token twice (2–4 % of a token request's CPU). A token that held a
 * quote or a backslash (none can) would be serialized by JSON.stringify like every other member.
 */
import type { FastifyReply } from 'fastify';
import { NO_STORE } from './error-response.ts';

const TOKEN_MEMBERS = new Set(['access_token', 'id_token', 'refresh_token']);

export function tokenResponseJson(response: object): string {
  let out = '';
  for (const [name, value] of Object.entries(response)) {
    if (value === undefined) continue;
    const raw = TOKEN_MEMBERS.has(name) && typeof value === 'string' && !value.includes('"') && !value.includes('\\');
    out += `${out === '' ? '{' : ','}${JSON.stringify(name)}:${raw ? `"${value}"` : JSON.stringify(value)}`;
  }
  return out === '' ? '{}' : `${out}}`;
}

/** Sends a token answer: 200, JSON, `Cache-Control: no-store` (RFC 6749 §5.1). */
export function sendTokenResponse(reply: FastifyReply, response: object): FastifyReply {
  return reply.headers(NO_STORE).type('application/json; charset=utf-8').send(tokenResponseJson(response));
}
