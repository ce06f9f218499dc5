/** Grant registry: adding a grant is a file and a line here. */
import type { Grant } from '../context.ts';
import { clientCredentialsGrant } from './client-credentials.ts';

export const GRANTS: ReadonlyMap<string, Grant> = new Map([[clientCredentialsGrant.grantType, clientCredentialsGrant]]);
