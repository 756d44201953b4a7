// tnc and the reference app as the benchmark starts them, each packed and installed like a
// release (bench/installed.ts) and started through the bin npm linked:
// - hello: the minimal Ink app as anyone would ship it, Ink and React from node_modules (run
//   with NODE_ENV=production, as tnc runs React, so that it carries no development build);
// - hello bundled: the same app bundled by tnc's own bundler settings (scripts/bundle.mjs),
//   which shows what tnc's own work costs apart from how it is shipped.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packAndInstall } from './installed.js';
import { Pty, type PtyOptions } from './pty.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The built reference app (bench/hello.tsx) and what it imports of ours. */
const HELLO_FILES = ['hello.js', 'names.js'].map((name) => fileURLToPath(new URL(name, import.meta.url)));

export interface Program {
  command: string;
  env?: NodeJS.ProcessEnv;
}

/** A terminal's size; the pty's default when not given. */
export type Terminal = Pick<PtyOptions, 'cols' | 'rows'>;

/** `program` started in a pseudo-terminal of its own, with its environment. */
export function spawnInPty(program: Program, args: string[], size: Terminal = {}): Pty {
  return new Pty([program.command, ...args], { ...size, env: { ...process.env, ...program.env } });
}

export interface Programs {
  tnc: Program;
  hello: Program;
  helloBundled: Program;
}

type Bundle = (options: { entryPoints: string[]; outdir: string; outbase?: string; chunkDir?: string }) => Promise<unknown>;

async function helloPackage(dir: string, manifest: Record<string, unknown>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const base = { name: 'tnc-hello', version: '1.0.0', type: 'module', private: true, bin: { 'tnc-hello': 'hello.js' } };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ ...base, ...manifest }, null, 2)}\n`);
}

export async function installPrograms(workDir: string): Promise<Programs> {
  const ours = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const tnc = await packAndInstall(REPO, join(workDir, 'tnc'));

  const plain = join(workDir, 'hello-package');
  await helloPackage(plain, { files: ['*.js'], dependencies: { ink: ours.devDependencies.ink, react: ours.devDependencies.react } });
  for (const file of HELLO_FILES) await copyFile(file, join(plain, basename(file)));
  const hello = await packAndInstall(plain, join(workDir, 'hello'));

  const bundled = join(workDir, 'hello-bundled-package');
  await helloPackage(bundled, { bin: { 'tnc-hello': 'bundle/hello.js' }, files: ['bundle/'] });
  const { bundle } = (await import(pathToFileURL(join(REPO, 'scripts/bundle.mjs')).href)) as { bundle: Bundle };
  await bundle({ entryPoints: ['bench/hello.tsx'], outdir: join(bundled, 'bundle'), outbase: join(REPO, 'bench'), chunkDir: '.' });
  const helloBundled = await packAndInstall(bundled, join(workDir, 'hello-bundled'));

  return {
    tnc: { command: tnc.bin('tnc') },
    hello: { command: hello.bin('tnc-hello'), env: { NODE_ENV: 'production' } },
    helloBundled: { command: helloBundled.bin('tnc-hello') },
  };
}
