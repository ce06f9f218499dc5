/**
 * The result of one `npm run bench:compare` run (bench/results/<timestamp>.json) and its summary:
 * medians per (server, connections), the ratios of each round's windows (ours / peer, per grant
 * of ours against the same peer window), and the issue #12 targets (for the FIWARE `vp_token`
 * grant the same targets, issue #13).
 */
import type { FloorFigure, FloorResult } from './floor.ts';

/** `ours`: our M2M grant (`/oidc/token`); `ours-vp`: our FIWARE `vp_token` grant (`/services/{id}/token`); `peer`: node-oidc-provider. */
export type ServerName = 'ours' | 'ours-vp' | 'peer';
/** What of ours is measured (BENCH_TARGETS). */
export type Grant = 'm2m' | 'vp_token';
export const GRANTS: readonly Grant[] = ['m2m', 'vp_token'];
export const GRANT_SERVER: Record<Grant, ServerName> = { m2m: 'ours', vp_token: 'ours-vp' };
export const GRANT_LABEL: Record<Grant, string> = { m2m: 'M2M (client_credentials)', vp_token: 'FIWARE vp_token' };

export interface WindowResult {
  readonly server: ServerName;
  readonly round: number;
  readonly connections: number;
  /** Measured duration (s). */
  readonly seconds: number;
  readonly requests: number;
  readonly reqPerSec: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  /** Answers with status 200. */
  readonly ok: number;
  /** Answers with another status, and connection errors/timeouts. */
  readonly non200: number;
  readonly errors: number;
  readonly statusCodes: Record<string, number>;
  /** Server CPU time (user + system, /proc) per request, µs. */
  readonly cpuUsPerRequest: number;
  readonly bodiesSigned: number;
  readonly bodiesUsed: number;
}

export interface RunResult {
  readonly version: 1;
  readonly timestamp: string;
  readonly machine: {
    readonly cpuModel: string;
    readonly cpus: number;
    readonly node: string;
    readonly openssl: string;
    readonly kernel: string;
    readonly memoryGiB: number;
    readonly loadAverageBefore: readonly number[];
    readonly loadAverageAfter: readonly number[];
    readonly pinning: string;
  };
  readonly config: {
    readonly rounds: number;
    readonly seconds: number;
    readonly warmupSeconds: number;
    readonly connections: readonly number[];
    readonly floorMs: number;
    readonly logLevel: string;
    readonly smoke: boolean;
    /** Grants of ours measured; absent in results before the vp_token grant was measured (= M2M only). */
    readonly targets?: readonly Grant[];
  };
  readonly versions: { readonly verifier: string; readonly commit: string; readonly peer: string };
  readonly sizes: { readonly oursBodyBytes: number; readonly peerBodyBytes: number; readonly oursTokenBytes: number; readonly peerTokenBytes: number; readonly vpBodyBytes?: number; readonly vpTokenBytes?: number };
  /** The FIWARE service the vp_token grant is measured on and the credential it is sent. */
  readonly vpGrant?: { readonly service: string; readonly credentialType: string; readonly credential: string; readonly vpLifetimeSeconds: number };
  readonly floors: ReadonlyArray<FloorResult & { readonly round: number }>;
  readonly windows: readonly WindowResult[];
  readonly memory: Record<'ours' | 'peer', { readonly rssMiB: number; readonly peakMiB: number }>;
}

export interface Cell {
  readonly reqPerSec: number;
  readonly reqPerSecMin: number;
  readonly reqPerSecMax: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUsPerRequest: number;
  readonly windows: number;
}

export interface Ratios {
  /** Median over rounds of ours / peer req/s. */
  readonly throughput: number;
  /** Median over rounds of peer p99 / our p99. */
  readonly p99: number;
  /** Median over rounds of the grant's parse-inclusive floor's CPU per request (M2M: credential cached; vp_token: x5c chain cached) / our server's CPU per request. */
  readonly floor: number;
  /** Median over rounds of our req/s / the parse-inclusive floor's wall-clock rate (only meaningful on an idle machine). */
  readonly floorWall: number;
  /** Median over rounds of the peer's server CPU per request / ours. */
  readonly cpu: number;
}

export interface Target {
  readonly grant: Grant | null;
  readonly name: string;
  readonly goal: string;
  readonly value: string;
  readonly met: boolean | null;
}

export interface Summary {
  /** The grants of ours in this run (M2M only for results from before the vp_token grant). */
  readonly grants: readonly Grant[];
  readonly cells: Partial<Record<ServerName, Record<number, Cell>>>;
  readonly ratios: Partial<Record<Grant, Record<number, Ratios>>>;
  readonly floor: FloorResult;
  readonly failed: number;
  readonly answers: number;
  readonly targets: readonly Target[];
}

/** The connection count the targets are stated for. */
export const TARGET_CONNECTIONS = 32;

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

export function summarize(run: RunResult): Summary {
  const grants = run.config.targets ?? ['m2m'];
  const servers: ServerName[] = [...grants.map((g) => GRANT_SERVER[g]), 'peer'];
  const cells: Partial<Record<ServerName, Record<number, Cell>>> = {};
  const ratios: Partial<Record<Grant, Record<number, Ratios>>> = {};
  for (const server of servers) {
    const perConnection: Record<number, Cell> = {};
    for (const c of run.config.connections) {
      const w = run.windows.filter((x) => x.server === server && x.connections === c);
      const rates = w.map((x) => x.reqPerSec);
      perConnection[c] = {
        reqPerSec: round(median(rates)),
        reqPerSecMin: round(Math.min(...rates)),
        reqPerSecMax: round(Math.max(...rates)),
        p50: median(w.map((x) => x.latencyMs.p50)),
        p99: median(w.map((x) => x.latencyMs.p99)),
        cpuUsPerRequest: round(median(w.map((x) => x.cpuUsPerRequest))),
        windows: w.length,
      };
    }
    cells[server] = perConnection;
  }
  for (const grant of grants) {
    const server = GRANT_SERVER[grant];
    // The floor of the grant: M2M parse-inclusive with the credential cached; vp_token parse-inclusive with the x5c chain cached.
    const floorOf = (r: number) => {
      const f = run.floors.find((x) => x.round === r);
      return grant === 'm2m' ? f?.parseCached : f?.vpParse;
    };
    const perConnection: Record<number, Ratios> = {};
    for (const c of run.config.connections) {
      const perRound = (f: (ours: WindowResult, peer: WindowResult, r: number) => number) =>
        median(
          Array.from({ length: run.config.rounds }, (_, i) => i + 1).flatMap((r) => {
            const ours = run.windows.find((x) => x.server === server && x.connections === c && x.round === r);
            const peer = run.windows.find((x) => x.server === 'peer' && x.connections === c && x.round === r);
            return ours && peer ? [f(ours, peer, r)] : [];
          }),
        );
      perConnection[c] = {
        throughput: round(perRound((o, p) => o.reqPerSec / p.reqPerSec), 2),
        p99: round(perRound((o, p) => p.latencyMs.p99 / Math.max(o.latencyMs.p99, 1)), 2),
        floor: round(perRound((o, _p, r) => (floorOf(r)?.cpuUs ?? NaN) / o.cpuUsPerRequest), 2),
        floorWall: round(perRound((o, _p, r) => o.reqPerSec / (floorOf(r)?.perSec ?? NaN)), 2),
        cpu: round(perRound((o, p) => p.cpuUsPerRequest / o.cpuUsPerRequest), 2),
      };
    }
    ratios[grant] = perConnection;
  }
  const figure = (pick: (f: FloorResult) => FloorFigure | undefined): FloorFigure | undefined => {
    const figures = run.floors.map(pick).filter((f): f is FloorFigure => f !== undefined);
    return figures.length === 0 ? undefined : { perSec: median(figures.map((f) => f.perSec)), cpuUs: median(figures.map((f) => f.cpuUs)) };
  };
  const vpRaw = figure((f) => f.vpRaw);
  const vpRawUncached = figure((f) => f.vpRawUncached);
  const vpParse = figure((f) => f.vpParse);
  const floor: FloorResult = {
    rawCached: figure((f) => f.rawCached)!,
    rawUncached: figure((f) => f.rawUncached)!,
    parseCached: figure((f) => f.parseCached)!,
    parseUncached: figure((f) => f.parseUncached)!,
    peerRaw: figure((f) => f.peerRaw)!,
    ...(vpRaw ? { vpRaw } : {}),
    ...(vpRawUncached ? { vpRawUncached } : {}),
    ...(vpParse ? { vpParse } : {}),
  };
  const failed = run.windows.reduce((n, w) => n + w.non200 + w.errors, 0);
  const answers = run.windows.reduce((n, w) => n + w.requests, 0);
  const pct = (n: number) => `${Math.round(n * 100)} %`;
  const targets: Target[] = grants.flatMap((grant): Target[] => {
    const at = ratios[grant]?.[TARGET_CONNECTIONS];
    const label = grants.length === 1 && grant === 'm2m' ? '' : `${GRANT_LABEL[grant]}: `;
    const floorName = grant === 'm2m' ? 'parse-inclusive floor (credential cached; CPU per request)' : 'its parse-inclusive floor (x5c chain cached; CPU per request)';
    return [
      { grant, name: `${label}req/s, ours / peer, ${TARGET_CONNECTIONS} connections`, goal: '≥ 2.5×', value: at ? `${at.throughput}×` : 'not measured', met: at ? at.throughput >= 2.5 : null },
      { grant, name: `${label}p99, peer / ours, ${TARGET_CONNECTIONS} connections`, goal: '≥ 2.5× (our p99 ≤ peer p99 / 2.5)', value: at ? `${at.p99}×` : 'not measured', met: at ? at.p99 >= 2.5 : null },
      { grant, name: `${label}ours / ${floorName}, ${TARGET_CONNECTIONS} connections`, goal: '≥ 75 %', value: at ? pct(at.floor) : 'not measured', met: at ? at.floor >= 0.75 : null },
    ];
  });
  targets.push({ grant: null, name: 'RSS (peak) of our server', goal: '≤ 150 MiB', value: `${run.memory.ours.peakMiB} MiB`, met: run.memory.ours.peakMiB <= 150 });
  return { grants, cells, ratios, floor, failed, answers, targets };
}
