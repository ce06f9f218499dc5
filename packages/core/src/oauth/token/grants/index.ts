/** Grant registry: adding a grant is a file and a line here. */
import type { Grant } from '../context.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { refreshTokenGrant } from './refresh-token.ts';

export const GRANTS: ReadonlyMap<string, Grant> = new Map([clientCredentialsGrant, authorizationCodeGrant, refreshTokenGrant].map((g) => [g.grantType, g]));
