/**
 * `npm run fuzz [-- options]`: the bounded mutation fuzzer against the real verifier.
 *
 *   --seed <n>         PRNG seed (default: random, printed)
 *   --cases <N>        number of cases (default 2000)
 *   --case <i>         replay only case i of the seed
 *   --store memory|redis  (redis: REDIS_URL, default redis://127.0.0.1:6390)
 *   --endpoint <name>  only endpoints whose name contains <name>
 *   --timeout <ms>     per-request timeout; a request without an answer by then is a hang (default 10000)
 *   --dump             print every request's bytes and its answer (use with --case)
 *
 * Exits 1 when any case fails (each failure prints its replay command).
 */
import { parseArgs } from 'node:util';
import { formatSummary, runFuzz } from './run.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    cases: { type: 'string', default: '2000' },
    case: { type: 'string' },
    store: { type: 'string', default: 'memory' },
    endpoint: { type: 'string' },
    timeout: { type: 'string', default: '10000' },
    dump: { type: 'boolean', default: false },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 0x7fff_ffff);
const store = values.store === 'redis' ? 'redis' : values.store === 'memory' ? 'memory' : undefined;
if (!Number.isInteger(seed) || !store) {
  process.stderr.write('usage: npm run fuzz -- [--seed n] [--cases N] [--case i] [--store memory|redis] [--endpoint name] [--timeout ms]\n');
  process.exit(2);
}
process.stdout.write(`fuzz: seed ${seed}\n`);
const summary = await runFuzz({
  seed,
  cases: Number(values.cases),
  store,
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6390',
  ...(values.endpoint ? { endpoint: values.endpoint } : {}),
  ...(values.case !== undefined ? { only: Number(values.case) } : {}),
  timeoutMs: Number(values.timeout),
  dump: values.dump,
  log: (l) => process.stdout.write(`${l}\n`),
});
process.stdout.write(`${formatSummary(summary)}\n`);
process.exit(summary.failures.length > 0 ? 1 : 0);
