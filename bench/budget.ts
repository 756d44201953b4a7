// One row of the benchmark report: a measured figure held against its SPEC §10 budget.
import { round } from './stats.js';

export interface BudgetResult {
  /** What SPEC §10 asks, in words. */
  what: string;
  unit: string;
  /** The measured value. */
  figure: number;
  /** What the figure is compared with: a reference measured in the same run, or the absolute limit. */
  reference: number;
  ratio: number;
  /** Largest allowed ratio: 1 for absolute limits. */
  budget: number;
  ok: boolean;
  details?: Record<string, unknown>;
}

/** Against a reference measured in the same invocation (e.g. the hello app, the bare KDF). */
export function relative(
  what: string,
  unit: string,
  figure: number,
  reference: number,
  budget: number,
  details?: Record<string, unknown>,
): BudgetResult {
  const ratio = figure / reference;
  return { what, unit, figure: round(figure, 2), reference: round(reference, 2), ratio: round(ratio, 3), budget, ok: ratio <= budget, details };
}

/** Against a fixed limit. `extraOk` carries conditions the ratio cannot (e.g. "not growing"). */
export function absolute(
  what: string,
  unit: string,
  figure: number,
  limit: number,
  details?: Record<string, unknown>,
  extraOk = true,
): BudgetResult {
  return { ...relative(what, unit, figure, limit, 1, details), ok: figure <= limit && extraOk };
}
