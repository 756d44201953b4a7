import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Text } from 'ink';
import { render } from 'ink-testing-library';

// Every runtime dependency must load under the Node version CI uses (ink-table 3.1.0, for one,
// does not load under ink 6: this is the test that would have said so).
describe('runtime dependencies', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  // What the package installs, and what its bundle carries inside (scripts/bundle.mjs): every
  // devDependency that is not a build or test tool.
  const tools = new Set(['esbuild', 'patch-package', 'typescript', 'vitest', 'ink-testing-library']);
  const runtime = [
    ...Object.keys(pkg.dependencies),
    ...Object.keys(pkg.devDependencies).filter((name) => !name.startsWith('@types/') && !tools.has(name)),
  ];

  it.each(runtime)('%s imports', async (name) => {
    const module = (await import(name)) as Record<string, unknown>;
    expect(Object.keys(module).length).toBeGreaterThan(0);
  });

  it('libsodium-wrappers-sumo has Argon2id at run time', async () => {
    const { default: sodium } = await import('libsodium-wrappers-sumo');
    await sodium.ready;
    expect(typeof sodium.crypto_pwhash).toBe('function');
    expect(sodium.crypto_pwhash_ALG_ARGON2ID13).toBeGreaterThan(0);
  });

  it('renders one Ink frame with the table component', async () => {
    const { Table } = await import('ink-table');
    const { lastFrame, unmount } = render(
      <>
        <Text>TrueNAS Connect</Text>
        <Table data={[{ TrueNAS: 'nas-1', Key: 'Stored', Connected: 'True' }]} />
      </>,
    );
    const frame = lastFrame() ?? '';
    expect(frame).toContain('TrueNAS Connect');
    expect(frame).toMatch(/TrueNAS.*Key.*Connected/);
    expect(frame).toContain('nas-1');
    unmount();
  });
});
