/**
 * Structured JSON logs (pino). Request logs are built by the app from method, route, status and
 * error code only; redaction is the second line of defence for anything that might still carry
 * a secret (Authorization headers, assertions, presentations, tokens, keys).
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'client_assertion',
  'vp_token',
  'access_token',
  'refresh_token',
  'id_token',
  'privateKey',
  'code_verifier',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'dome-verifier' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method?: string; url?: string; id?: string }) => ({ id: req.id, method: req.method, path: (req.url ?? '').split('?')[0] }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
