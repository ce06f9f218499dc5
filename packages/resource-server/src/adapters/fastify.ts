/**
 * Fastify adapter (fastify-plugin is not needed):
 *
 *   await app.register(domePlugin, { issuer });               // every route of `app` (and its children)
 *   await registerDome(scope, { issuer });                    // same, explicit, inside an encapsulated plugin
 *   app.get('/x', { onRequest: dome({ issuer }) }, handler);  // one route
 *   app.post('/offerings', { preHandler: requirePower({ function: 'ProductOffering', action: 'Create' }) }, handler);
 *
 * `request.auth` holds the {@link VerifiedAccessToken}.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { errorResponse } from '../bearer.ts';
import { InvalidTokenError } from '../errors.ts';
import { enforce, requireScope as scopeCheck, type Requirement } from '../powers.ts';
import type { VerifiedAccessToken } from '../validator.ts';
import { validatorOf, type DomeOptions } from './shared.ts';

export type { DomeOptions } from './shared.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified DOME access token (set by the dome hook). */
    auth?: VerifiedAccessToken;
  }
}

export type DomeHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** The realm of the dome hook that ran for a request, so that requirement hooks challenge with the same realm. */
const realms = new WeakMap<object, string>();

async function reject(err: unknown, reply: FastifyReply, realm: string | undefined): Promise<void> {
  const r = errorResponse(err, { realm });
  if (!r) throw err;
  await reply.code(r.status).headers(r.headers).send(r.body);
}

/** An `onRequest` (or `preHandler`) hook validating the bearer token and setting `request.auth`. */
export function dome(options: DomeOptions): DomeHook {
  const validator = validatorOf(options);
  return async (request, reply) => {
    if (options.realm !== undefined) realms.set(request, options.realm);
    try {
      const auth = await validator.validateRequest({ headers: request.headers, url: request.url, headersDistinct: request.raw.headersDistinct });
      enforce(options.require, auth);
      request.auth = auth;
    } catch (err) {
      await reject(err, reply, options.realm);
    }
  };
}

/** Adds the `auth` request decorator and a `onRequest` hook to `app` (its routes and child contexts). */
export async function registerDome(app: FastifyInstance, options: DomeOptions): Promise<void> {
  if (!app.hasRequestDecorator('auth')) app.decorateRequest('auth', undefined);
  app.addHook('onRequest', dome(options));
}

/**
 * `app.register(domePlugin, options)`: like {@link registerDome} on `app` itself — the plugin
 * is not encapsulated (the `skip-override` marker fastify-plugin sets), so the hook applies to
 * the routes of the context that registers it. Register it inside your own plugin to scope it.
 */
export const domePlugin: FastifyPluginAsync<DomeOptions> = Object.assign(async (app: FastifyInstance, options: DomeOptions) => registerDome(app, options), {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@dome-verifier/resource-server',
});

function requirementHook(requirement: Requirement, realm: string | undefined): DomeHook {
  return async (request, reply) => {
    try {
      if (!request.auth) throw new InvalidTokenError('a bearer access token is required', { missing: true });
      enforce(requirement, request.auth);
    } catch (err) {
      await reject(err, reply, realm ?? realms.get(request));
    }
  };
}

/**
 * A `preHandler` answering 403 insufficient_scope unless `request.auth` has the LEAR power (or meets the predicate).
 * The challenge's realm defaults to the one of the dome hook that ran for the request.
 */
export function requirePower(requirement: Requirement, options: { realm?: string } = {}): DomeHook {
  return requirementHook(requirement, options.realm);
}

/** A `preHandler` answering 403 insufficient_scope (with `scope="…"`) unless the token has the scopes. */
export function requireScope(scopes: string | string[], options: { realm?: string } = {}): DomeHook {
  const check = scopeCheck(...(Array.isArray(scopes) ? scopes : [scopes]));
  return requirementHook((t) => (check(t), true), options.realm);
}
