/**
 * The wallet PWA emulator (dome-wallet-pwa.md §1–§4, written from the spec, not from the
 * verifier's code) lives in the test-wallet part of @dome-verifier/client, beside the deployed
 * wallet's, so that the CLI (`wallet --as pwa`) and the benchmarks answer as the PWA too.
 */
export { pwaAnswer, pwaFetchTransport, type DcqlQuery, type PwaCredential, type PwaOptions, type PwaResult, type PwaTamper } from '@dome-verifier/client';
