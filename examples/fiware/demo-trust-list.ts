/**
 * A demo Trusted Issuers List on loopback, in the EBSI shape FIWARE's trusted-issuers-list
 * serves (`GET /v4/issuers/<did>` → `{did, attributes: [{body: base64(JSON{credentialsType, …})}]}`),
 * knowing one did:key issuer for `UserCredential`. Everything else answers 404.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tirIssuerDocument } from '@dome-verifier/dev-issuer';

export interface DemoTrustList {
  readonly url: string;
  close(): Promise<void>;
}

export async function startDemoTrustList(issuerDid: string, types: string[], host = '127.0.0.1'): Promise<DemoTrustList> {
  const now = Date.now();
  const body = JSON.stringify(tirIssuerDocument(issuerDid, types, { from: new Date(now - 86_400_000).toISOString(), to: new Date(now + 365 * 86_400_000).toISOString() }));
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === `/v4/issuers/${issuerDid}`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"title":"not found"}');
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
