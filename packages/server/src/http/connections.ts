/**
 * What one connection may cost us: how long a client may take to send its headers
 * (`server.headersTimeoutMs`) and its whole request (`server.requestTimeoutMs`), how long an idle
 * keep-alive connection is kept (`server.keepAliveTimeoutMs`), how many connections the port
 * holds (`server.maxConnections`) and how many one peer address may hold
 * (`server.maxConnectionsPerAddress`). docs/operations.md, "Connections and timeouts".
 */
import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import { ERROR_CODES } from '@dome-verifier/core';
import type { VerifierConfig } from '@dome-verifier/core/config';
import type { Metrics } from '../metrics.ts';

type ServerConfig = VerifierConfig['server'];

/**
 * Fastify options for the timeouts. Node checks the header and request timeouts of open
 * connections every `connectionsCheckingInterval` (30 s by default, which would let a slow body
 * live up to 30 s past its timeout): check four times per timeout, at most once a second.
 */
export function timeoutOptions(server: Pick<ServerConfig, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'>) {
  const checkEvery = Math.max(100, Math.min(1000, Math.floor(server.headersTimeoutMs / 4)));
  return {
    requestTimeout: server.requestTimeoutMs,
    keepAliveTimeout: server.keepAliveTimeoutMs,
    http: { headersTimeout: server.headersTimeoutMs, requestTimeout: server.requestTimeoutMs, connectionsCheckingInterval: checkEvery },
  };
}

/**
 * Caps the connections of `server`: past `max` Node closes new connections at once (its
 * `maxConnections`); past `perAddress` open connections from one peer address (0 = no cap),
 * a new one from that address is closed before it is read.
 */
export function capConnections(server: Server, caps: { max: number; perAddress: number }, metrics?: Metrics): void {
  server.maxConnections = caps.max;
  server.on('drop', () => metrics?.connectionsRefused.inc({ reason: 'max_connections' }));
  if (caps.perAddress <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const n = open.get(address) ?? 0;
    if (n >= caps.perAddress) {
      metrics?.connectionsRefused.inc({ reason: 'per_address' });
      socket.destroy();
      return;
    }
    open.set(address, n + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/** Node's client errors: timeouts, oversized headers, malformed framing. */
const CLIENT_ERRORS: Readonly<Record<string, { status: number; reason: string; error: string; description: string }>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: ERROR_CODES.ERR_REQUEST_TIMEOUT.status, reason: 'timeout', error: ERROR_CODES.ERR_REQUEST_TIMEOUT.error, description: 'the request was not received in time' },
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'header_overflow', error: 'invalid_request', description: 'the request headers are too large' },
};
const MALFORMED = { status: ERROR_CODES.ERR_REQUEST_MALFORMED.status, reason: 'malformed', error: ERROR_CODES.ERR_REQUEST_MALFORMED.error, description: 'the request cannot be parsed' };
const STATUS_TEXT: Readonly<Record<number, string>> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * Fastify's `clientErrorHandler`: answers a client error (bad framing, timeout, oversized
 * headers) with an OAuth-style JSON body and closes the connection. It logs the error's code
 * only — never the error object, whose `rawPacket` holds the raw request bytes (assertions,
 * Authorization headers, cookies) — at debug, and counts it.
 */
export function clientErrorHandler(log: { debug(obj: object, msg?: string): void }, metrics?: Metrics) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const e = (err.code && CLIENT_ERRORS[err.code]) || MALFORMED;
    metrics?.clientErrors.inc({ reason: e.reason });
    log.debug({ code: err.code, status: e.status }, 'client error: connection closed');
    // Only when no response is on its way (a refusal may already have been sent).
    const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !response?.headersSent) {
      const body = JSON.stringify({ error: e.error, error_description: e.description });
      socket.write(`HTTP/1.1 ${e.status} ${STATUS_TEXT[e.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy();
  };
}

/**
 * Once the server is closing, every answer carries `Connection: close`, so a keep-alive client
 * whose request was in flight at SIGTERM does not hold the shutdown for `keepAliveTimeoutMs`
 * (Fastify closes only the connections idle at the moment it starts closing).
 */
export function closeConnectionsWhenClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // Callback form: no promise per response on the hot path.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}
