/**
 * A base path in the issuer URL (`https://host/verifier`, the IN2 V3 deployment shape;
 * docs/compatibility.md). Applied by rewriting the request URL before routing, so that every
 * route, hook (CORS, limits) and metric label sees the same root-relative paths in both modes:
 * - always: the RFC 8414 §3.1 path-inserted discovery URLs
 *   (`/.well-known/oauth-authorization-server/verifier`, and the same form of
 *   `openid-configuration`) answer with the discovery document;
 * - with `verifier.backend.serveUnderIssuerPath`: `/verifier/…` is served as `/…`, the ops routes
 *   (health, metrics) stay at the root, and any other path outside the base path is not found.
 */
import type { IncomingMessage } from 'node:http';
import { isOpsRoute } from './admission.ts';

/** Where requests outside the base path are routed: no route has this path, so they get the 404 answer. */
export const OUTSIDE_BASE_PATH = '/.outside-base-path';

const DISCOVERY = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'];

/** The fastify `rewriteUrl` option for `issuer`, or none when the issuer has no path. */
export function basePathRewrite(issuer: string, serveUnderIssuerPath: boolean): { rewriteUrl?: (req: IncomingMessage) => string } {
  const base = new URL(issuer).pathname.replace(/\/+$/, '');
  if (base === '') return {};
  const inserted = new Map(DISCOVERY.map((d) => [`${d}${base}`, d]));
  return {
    rewriteUrl(req) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      const query = q === -1 ? '' : url.slice(q);
      const discovery = inserted.get(path);
      if (discovery) return `${discovery}${query}`;
      if (!serveUnderIssuerPath) return url;
      if (path === base || path.startsWith(`${base}/`)) return `${path.slice(base.length) || '/'}${query}`;
      return isOpsRoute(path) ? url : OUTSIDE_BASE_PATH;
    },
  };
}
