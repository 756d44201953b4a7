// Builds what `npm pack` ships: tnc and the simulator its demo starts, bundled with esbuild
// into bundle/ with every dependency inside but libsodium (see EXTERNAL). One file per entry
// plus shared chunks loads much faster than node_modules' hundreds of files, and the bundle
// carries the Ink patches of patches/ (applied by patch-package before this runs).
//
// bundle/ keeps the source layout below it (bundle/src/cli.js, bundle/src/sim/main.js, the
// chunks beside cli.js), so the paths the code takes relative to its own file still hold:
// `../../package.json` from the CLI, `./sim/main.js` from the demo.
//
// `node scripts/bundle.mjs` builds the package; bench/ imports bundle() for its reference app.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const EXTERNAL = [
  // Loaded from node_modules at run time: the KDF worker imports it by file URL (store/kdf.ts).
  // The package ships it (bundleDependencies), so installing needs no registry.
  'libsodium-wrappers-sumo',
  // Optional native speed-ups of ws; it works without them.
  'bufferutil',
  'utf-8-validate',
  // Ink loads it only when DEV=true (React DevTools); not a dependency of ours.
  'react-devtools-core',
];

/**
 * Bundles `entryPoints` (paths relative to the repository) into `outdir`, each entry at its
 * path below `outbase`, shared code in chunks beside the first entry's directory.
 */
export async function bundle({ entryPoints, outdir, outbase = ROOT, chunkDir = 'src' }) {
  await rm(outdir, { recursive: true, force: true });
  return build({
    absWorkingDir: ROOT,
    entryPoints,
    outdir,
    outbase,
    entryNames: '[dir]/[name]',
    chunkNames: `${chunkDir}/[name]-[hash]`,
    bundle: true,
    // Chunks keep the lazy import()s lazy: `--help` loads neither React nor the client.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    external: EXTERNAL,
    // React and Ink pick their production code by NODE_ENV; a shipped tnc is production. (The
    // unbundled program sets NODE_ENV before loading them, components/run.tsx: that assignment
    // stays, harmless, and is what the silenced warning is about.)
    define: { 'process.env.NODE_ENV': '"production"' },
    logOverride: { 'assign-to-define': 'silent' },
    // CommonJS dependencies inside an ES module bundle still call require() for Node's modules.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundle({ entryPoints: ['src/cli.ts', 'src/sim/main.ts'], outdir: 'bundle' });
}
