// Built files the benchmarks start as separate processes (bench/ compiles to dist/bench/).
import { fileURLToPath } from 'node:url';

const built = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export const CLI = built('../src/cli.js');
export const POLLER_MAIN = built('./poller-main.js');
export const SIM_MAIN = built('../src/sim/main.js');
