import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** `--ca-file`: Node accepts any text as `ca` and then trusts nothing, so the file is checked up front. */
export function readCaFile(path: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`--ca-file ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`}`);
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new Error(`--ca-file ${path}: not a PEM certificate`);
  }
  return pem;
}
