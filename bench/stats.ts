// Order statistics for benchmark samples.

function sorted(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new RangeError('no samples');
  return [...samples].sort((a, b) => a - b);
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  const ordered = sorted(samples);
  const rank = Math.ceil((p / 100) * ordered.length);
  return ordered[Math.min(ordered.length, Math.max(1, rank)) - 1]!;
}

export function median(samples: readonly number[]): number {
  const ordered = sorted(samples);
  const middle = ordered.length >> 1;
  return ordered.length % 2 === 1 ? ordered[middle]! : (ordered[middle - 1]! + ordered[middle]!) / 2;
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A compact description of a sample set, in the samples' unit. */
export function summary(samples: readonly number[]): { n: number; min: number; median: number; p95: number; max: number } {
  return {
    n: samples.length,
    min: round(Math.min(...samples)),
    median: round(median(samples)),
    p95: round(percentile(samples, 95)),
    max: round(Math.max(...samples)),
  };
}
