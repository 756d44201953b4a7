import { SimValidationError } from '../../src/sim/errors.js';

/** The validation entries `fn` throws, as the simulator would answer them; fails when it throws none. */
export function validationEntries(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    if (err instanceof SimValidationError) return err.entries;
    throw err;
  }
  throw new Error('no validation error');
}
