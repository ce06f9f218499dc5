import { Command, Option } from 'commander';
import { generateP256Key, privateKeyToHex } from '@dome-verifier/client';
import { printJson, writeSecretFile, type CliIO } from '../io.ts';

interface KeygenOptions {
  out?: string;
  format: 'jwk' | 'hex';
  force?: boolean;
}

/** `keygen`: a fresh P-256 key; prints `{did, publicJwk}`, the private key goes to `--out` (0600). */
export function keygenCommand(io: CliIO): Command {
  return new Command('keygen')
    .description('generate a P-256 key pair (did:key); prints {did, publicJwk}')
    .option('--out <file>', 'write the private key here (mode 0600); without it the private key is printed — keep it secret')
    .addOption(new Option('--format <format>', 'private key format').choices(['jwk', 'hex']).default('jwk'))
    .option('--force', 'overwrite an existing --out file')
    .action(async (o: KeygenOptions) => {
      const key = generateP256Key();
      const secret = o.format === 'hex' ? { privateKeyHex: privateKeyToHex(key.privateKey) } : { privateJwk: key.privateJwk };
      const result = { did: key.did, publicJwk: key.publicJwk };
      if (o.out === undefined) return printJson(io, { ...result, ...secret });
      const text = o.format === 'hex' ? `${secret.privateKeyHex}\n` : `${JSON.stringify(secret.privateJwk, null, 2)}\n`;
      const keyFile = await writeSecretFile(o.out, text, o.force);
      io.stderr(`wrote the private key (${o.format}) to ${keyFile} (mode 0600)\n`);
      printJson(io, { ...result, keyFile });
    });
}
