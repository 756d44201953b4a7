import { ClientError } from '../../../src/client/errors.js';

/** The failure reason of a client call, 'resolved' when it succeeded. */
export function reasonOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (err: unknown) => (err instanceof ClientError ? err.reason : `not a ClientError: ${String(err)}`),
  );
}
