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

/**
 * pino's error serializer without the fields that hold request bytes: Node's client errors
 * carry the raw packet (`rawPacket`: headers and body, assertions and cookies included), printed
 * as a decimal byte array. Causes are serialized the same way.
 */
function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  delete out['rawPacket'];
  if (err.cause instanceof Error) out['cause'] = serializeError(err.cause);
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'dome-verifier' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      err: serializeError,
      req: (req: { method?: string; url?: string; id?: string }) => ({ id: req.id, method: req.method, path: (req.url ?? '').split('?')[0] }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
