// Names of the benchmark's systems, shared by the fixtures and the reference app (which must
// not pull the fixtures' store and client into its bundle).

/** Zero-padded, so the dashboard's row i shows system i whatever order it sorts by. */
export function systemName(index: number): string {
  return `bench-${String(index).padStart(4, '0')}`;
}
