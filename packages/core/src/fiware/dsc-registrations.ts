/**
 * The FIWARE Data Space Connector's provider registration (spec §6.2; DSC `k3s/provider.yaml`),
 * exactly as its helm job posts it to a Credentials Config Service's `/service`: the reference
 * input of the service-model and configuration-API tests.
 */
export const DSC_DATA_SERVICE = {
  id: 'data-service',
  defaultOidcScope: 'default',
  authorizationType: 'DEEPLINK',
  oidcScopes: {
    default: {
      credentials: [
        {
          type: 'UserCredential',
          trustedParticipantsLists: ['https://tir.trust-anchor.example'],
          trustedIssuersLists: ['http://trusted-issuers-list:8080'],
          jwtInclusion: { enabled: true, fullInclusion: true },
        },
      ],
      dcql: { credentials: [{ id: 'user-query', format: 'jwt_vc_json', multiple: true, meta: { type_values: [['UserCredential']] } }] },
    },
  },
};
