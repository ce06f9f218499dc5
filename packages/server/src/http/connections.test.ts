import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { closeConnectionsWhenClosing } from './connections.ts';

test('a request in flight when the server starts closing is answered with Connection: close, and its keep-alive socket then closes', async () => {
  const app = Fastify();
  closeConnectionsWhenClosing(app);
  let closingStarted!: () => void;
  const closing = new Promise<void>((r) => (closingStarted = r));
  app.addHook('preClose', (done) => {
    closingStarted();
    done();
  });
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let arrived!: () => void;
  const inFlight = new Promise<void>((r) => (arrived = r));
  app.get('/slow', async () => {
    arrived();
    await released;
    return { ok: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true });
  const answer = new Promise<{ status: number; connection: string | undefined; socketClosed: Promise<void> }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/slow', agent }, (res) => {
      res.resume();
      const socketClosed = new Promise<void>((r) => res.socket.once('close', () => r()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, socketClosed }));
    });
    req.on('error', reject);
    req.end();
  });
  await inFlight;
  const closed = app.close();
  await closing;
  release();
  const { status, connection, socketClosed } = await answer;
  assert.equal(status, 200);
  assert.equal(connection, 'close');
  await socketClosed;
  await closed;
  agent.destroy();
});
