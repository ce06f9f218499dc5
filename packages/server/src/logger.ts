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

/** The longest a buffered log line waits before it is written (ms). */
export const LOG_FLUSH_INTERVAL_MS = 500;
/** What may wait for a blocked stdout before further lines are dropped (bytes). */
export const LOG_MAX_PENDING_BYTES = 16 * 1024 * 1024;

/**
 * stdout for the server's logs. `bufferBytes` > 0: lines collect in memory and are written
 * asynchronously in chunks of that size and at least every LOG_FLUSH_INTERVAL_MS (pino flushes
 * the rest when the process exits); a stdout that stops reading holds at most
 * LOG_MAX_PENDING_BYTES, then lines are dropped instead of blocking the event loop.
 * `bufferBytes` 0: each line is written synchronously.
 */
export function stdoutDestination(bufferBytes: number): DestinationStream {
  if (bufferBytes <= 0) return pino.destination({ dest: 1, sync: true });
  return pino.destination({ dest: 1, sync: false, minLength: bufferBytes, maxLength: LOG_MAX_PENDING_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS });
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
