/** The FIWARE token endpoint's grants, in order: adding a grant is a file and a line here. */
import type { FiwareGrant } from '../context.ts';
import { vpTokenGrant } from './vp-token.ts';
import { tokenExchangeGrant } from './token-exchange.ts';
import { fiwareAuthorizationCodeGrant } from '../../h2m/authorization-code-grant.ts';
import { fiwareRefreshTokenGrant } from '../../h2m/refresh-token-grant.ts';

export const FIWARE_GRANT_LIST: readonly FiwareGrant[] = [vpTokenGrant, tokenExchangeGrant, fiwareAuthorizationCodeGrant, fiwareRefreshTokenGrant];

export const FIWARE_GRANTS: ReadonlyMap<string, FiwareGrant> = new Map(FIWARE_GRANT_LIST.map((g) => [g.grantType, g]));
