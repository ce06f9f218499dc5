/**
 * A small DOME product-offering API protected by @dome-verifier/resource-server: every route
 * needs a valid verifier access token; creating an offering needs the LEAR power
 * `ProductOffering / Create`, as the DOME marketplace requires. Offerings are kept in memory.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { registerDome, requirePower } from '@dome-verifier/resource-server/fastify';
import { hasPower, isLEAR, organizationOf } from '@dome-verifier/resource-server';

export interface ProductOffering {
  id: string;
  name: string;
  lifecycleStatus: string;
  relatedParty: Array<{ id: string; role: string }>;
}

export async function createProductOfferingApi(o: { issuer: string; audience?: string }): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  const offerings: ProductOffering[] = [{ id: 'po-1', name: 'Cloud storage 1 TB', lifecycleStatus: 'Launched', relatedParty: [{ id: 'did:elsi:VATES-D0000001', role: 'Seller' }] }];

  // Tokens must come from this verifier; machine tokens have aud = the verifier URL.
  await registerDome(app, { issuer: o.issuer, ...(o.audience ? { audience: o.audience } : {}), realm: 'product-offering' });

  app.get('/me', async (request) => {
    const auth = request.auth!;
    return {
      kind: auth.kind,
      subject: auth.subject,
      organization: organizationOf(auth),
      isLEAR: isLEAR(auth),
      canCreateOfferings: hasPower(auth, { function: 'ProductOffering', action: 'Create' }),
    };
  });

  app.get('/productOffering', async () => offerings);

  app.post<{ Body: { name?: string } }>('/productOffering', { preHandler: requirePower({ function: 'ProductOffering', action: 'Create' }) }, async (request, reply) => {
    const name = typeof request.body?.name === 'string' ? request.body.name.slice(0, 200) : 'Unnamed offering';
    const offering: ProductOffering = {
      id: `po-${offerings.length + 1}`,
      name,
      lifecycleStatus: 'In design',
      relatedParty: [{ id: `did:elsi:${organizationOf(request.auth!) ?? 'unknown'}`, role: 'Seller' }],
    };
    offerings.push(offering);
    return reply.code(201).send(offering);
  });

  return app;
}
