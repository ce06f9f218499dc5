/**
 * Express (and Connect / plain `node:http`) middleware. Typed structurally: no dependency on
 * express or its types; any `(req, res, next)` stack whose response is a Node `ServerResponse`
 * works.
 *
 *   app.use('/api', dome({ issuer: 'https://verifier.dome-marketplace.eu' }));
 *   app.post('/api/offerings', requirePowerMiddleware({ function: 'ProductOffering', action: 'Create' }), handler);
 */
import { errorResponse, type HeadersLike } from '../bearer.ts';
import { InvalidTokenError } from '../errors.ts';
import { enforce, type Requirement } from '../powers.ts';
import type { VerifiedAccessToken } from '../validator.ts';
import { validatorOf, type DomeOptions } from './shared.ts';

export type { DomeOptions } from './shared.ts';

export interface ExpressLikeRequest {
  headers: HeadersLike;
  /** Node's request target; Express rewrites it inside routers, so `originalUrl` is preferred. */
  url?: string;
  originalUrl?: string;
  headersDistinct?: Readonly<Record<string, readonly string[] | undefined>>;
  /** Set by {@link dome} on success. */
  auth?: VerifiedAccessToken;
}

export interface ExpressLikeResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
  headersSent?: boolean;
}

export type NextFunction = (err?: unknown) => void;

/** The realm of the dome middleware that ran for a request, so that requirement middlewares challenge with the same realm. */
const realms = new WeakMap<object, string>();

export type Middleware = (req: ExpressLikeRequest, res: ExpressLikeResponse, next: NextFunction) => void;

function fail(err: unknown, res: ExpressLikeResponse, next: NextFunction, realm: string | undefined): void {
  const r = errorResponse(err, { realm });
  if (!r || res.headersSent) return next(err);
  res.statusCode = r.status;
  for (const [name, value] of Object.entries(r.headers)) res.setHeader(name, value);
  res.end(JSON.stringify(r.body));
}

/**
 * Validates the bearer token; on success sets `req.auth` and calls `next()`, else answers
 * 401/403 (or 400 for a malformed request, 503 when the verifier's keys are unavailable) with
 * a JSON `{error, error_description}`, `WWW-Authenticate` and `Cache-Control: no-store`.
 * Other errors go to `next(err)`.
 */
export function dome(options: DomeOptions): Middleware {
  const validator = validatorOf(options);
  return (req, res, next) => {
    if (options.realm !== undefined) realms.set(req, options.realm);
    validator
      .validateRequest({ headers: req.headers, url: req.originalUrl ?? req.url, headersDistinct: req.headersDistinct })
      .then((auth) => {
        enforce(options.require, auth);
        req.auth = auth;
      })
      .then(
        () => next(),
        (err: unknown) => fail(err, res, next, options.realm),
      );
  };
}

/** Per-route requirement after {@link dome}: 403 insufficient_scope unless `req.auth` meets it (401 without `req.auth`).
 * The challenge's realm defaults to the one of the {@link dome} middleware that ran for the request. */
export function requirePowerMiddleware(requirement: Requirement, options: { realm?: string } = {}): Middleware {
  return (req, res, next) => {
    try {
      if (!req.auth) throw new InvalidTokenError('a bearer access token is required', { missing: true });
      enforce(requirement, req.auth);
    } catch (err) {
      return fail(err, res, next, options.realm ?? realms.get(req));
    }
    next();
  };
}
