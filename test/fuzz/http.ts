/**
 * The fuzzer's HTTP client: writes the request bytes itself on a raw loopback socket (so that
 * framing can be broken on purpose: Content-Length mismatches, duplicate or odd headers,
 * chunked bodies, half-closed connections) and parses the answer. Every request carries
 * `Connection: close`; the answer ends when the server closes, or — for an event stream — after
 * its first complete event. A request that gets no complete answer within the timeout is a hang.
 */
import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** Request target: path and query, already encoded. */
  target: string;
  /** Header lines in order (Host and Connection are added first unless present). */
  headers: Array<[string, string]>;
  body?: Buffer;
  /** Content-Length to send: 'auto' = the body length (when there is a body), 'omit', or a number. */
  contentLength?: 'auto' | 'omit' | number;
  /** Send the body with Transfer-Encoding: chunked (in `chunks` pieces). */
  chunked?: number;
  /** Half-close the connection after writing (the server sees end-of-stream). */
  halfClose?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  setCookies: string[];
  body: string;
  ms: number;
}

export type SendResult = { kind: 'response'; response: RawResponse } | { kind: 'closed'; ms: number; bytes: number } | { kind: 'timeout'; ms: number; bytes: number };

export function serialize(req: RawRequest, port: number): Buffer {
  const lines = [`${req.method} ${req.target} HTTP/1.1`];
  const has = (n: string) => req.headers.some(([k]) => k.toLowerCase() === n);
  if (!has('host')) lines.push(`Host: 127.0.0.1:${port}`);
  if (!has('connection')) lines.push('Connection: close');
  for (const [k, v] of req.headers) lines.push(`${k}: ${v}`);
  let body = req.body ?? Buffer.alloc(0);
  if (req.chunked && req.chunked > 0) {
    lines.push('Transfer-Encoding: chunked');
    const parts: Buffer[] = [];
    const size = Math.max(1, Math.ceil(body.length / req.chunked));
    for (let i = 0; i < body.length; i += size) {
      const c = body.subarray(i, i + size);
      parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from('0\r\n\r\n'));
    body = Buffer.concat(parts);
  }
  const cl = req.contentLength ?? 'auto';
  if (typeof cl === 'number') lines.push(`Content-Length: ${cl}`);
  else if (cl === 'auto' && req.body !== undefined && !req.chunked) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

function dechunk(buf: Buffer): Buffer | undefined {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', i);
    if (eol === -1) return undefined;
    const size = parseInt(buf.subarray(i, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) return undefined;
    if (size === 0) return Buffer.concat(out);
    if (buf.length < eol + 2 + size + 2) return undefined;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

/** Parses a complete (or, for event streams, started) response; undefined while incomplete. */
export function parseResponse(buf: Buffer, ended: boolean, ms: number): RawResponse | undefined {
  // Skip interim answers (100 Continue to an Expect header).
  while (/^HTTP\/1\.[01] 1\d\d/.test(buf.subarray(0, 16).toString('latin1')) && buf.indexOf('\r\n\r\n') !== -1) buf = buf.subarray(buf.indexOf('\r\n\r\n') + 4);
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const head = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '');
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  const setCookies: string[] = [];
  for (const line of head.slice(1)) {
    const c = line.indexOf(':');
    if (c === -1) continue;
    const k = line.slice(0, c).trim().toLowerCase();
    const v = line.slice(c + 1).trim();
    if (k === 'set-cookie') setCookies.push(v);
    headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
  }
  let raw = buf.subarray(headEnd + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const d = dechunk(raw);
    if (d === undefined) {
      if (/text\/event-stream/.test(headers['content-type'] ?? '') && /\n\n/.test(raw.toString('utf8'))) return { status: Number(m[1]), headers, setCookies, body: raw.toString('utf8'), ms };
      if (!ended) return undefined;
    } else raw = d;
  } else if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    if (raw.length < n && !ended) return undefined;
    raw = raw.subarray(0, n);
  } else if (!ended) {
    if (!(/text\/event-stream/.test(headers['content-type'] ?? '') && /\n\n/.test(raw.toString('utf8')))) return undefined;
  }
  return { status: Number(m[1]), headers, setCookies, body: raw.toString('utf8'), ms };
}

export function send(port: number, req: RawRequest, timeoutMs: number): Promise<SendResult> {
  const bytes = serialize(req, port);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const finish = (r: SendResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', ms: performance.now() - t0, bytes: received }), timeoutMs);
    const tryParse = (ended: boolean) => {
      const buf = Buffer.concat(chunks);
      const res = parseResponse(buf, ended, performance.now() - t0);
      if (res) finish({ kind: 'response', response: res });
      else if (ended) finish({ kind: 'closed', ms: performance.now() - t0, bytes: received });
    };
    socket.on('connect', () => {
      socket.write(bytes, () => {
        if (req.halfClose) socket.end();
      });
    });
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      received += d.length;
      tryParse(false);
    });
    socket.on('end', () => tryParse(true));
    socket.on('close', () => tryParse(true));
    socket.on('error', () => tryParse(true));
  });
}
