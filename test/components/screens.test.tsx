import { afterEach, describe, expect, it } from 'vitest';
import { tableHeight } from '../../src/app/layout.js';
import { bodyHeight, reducer, type AppState } from '../../src/app/state.js';
import type { SystemView } from '../../src/app/systems.js';
import type { SystemStatus } from '../../src/poller/types.js';
import { renderState } from './app-harness.js';
import { details, healthOf } from '../helpers/health.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function draw(...args: Parameters<typeof renderState>) {
  const ui = renderState(...args);
  cleanups.push(ui.unmount);
  return ui;
}

function systems(count: number): SystemView[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `id-${i}`,
    name: `nas-${String(i).padStart(4, '0')}`,
    address: `nas-${i}.example.net`,
    key: i === 0 ? 'stored' : null,
  }));
}

const status = (id: string, connected: boolean | null, reason?: SystemStatus['reason']): SystemStatus => ({
  id,
  connected,
  reason,
  checking: false,
  failures: 0,
  lastChecked: connected === null ? undefined : Date.UTC(2025, 0, 1, 12, 0, 0),
  health: connected ? healthOf(details('25.10.1', id)) : undefined,
});

function withSystems(count: number, statuses: SystemStatus[] = []) {
  return (state: AppState) =>
    [
      { type: 'systemsLoaded', systems: systems(count) } as const,
      { type: 'statusesChanged', statuses } as const,
    ].reduce(reducer, state);
}

describe('Dashboard', () => {
  it('shows the title, keyring state, the columns of SPEC §4 and the footer', async () => {
    const ui = draw(withSystems(2, [status('id-0', true), status('id-1', false, 'unreachable')]), { size: { columns: 140, rows: 30 } });
    const frame = await ui.waitForContent('nas-0001');
    expect(frame).toContain('TrueNAS Connect');
    expect(frame).toContain('No keyring');
    expect(frame).toMatch(/Name\s+Address\s+Version\s+Connected\s+Alerts\s+Pools\s+Update\s+Last checked/);
    expect(frame).toMatch(/nas-0000\s+nas-0\.example\.net\s+25\.10\.1\s+True/);
    expect(frame).toContain('False · unreachable');
    expect(frame).toMatch(/\? help.*a add.*Enter sign in.*q quit/);
  });

  it('shows … while a system is not checked yet', async () => {
    const ui = draw(withSystems(1), { size: { columns: 140, rows: 30 } });
    expect(await ui.waitForContent('nas-0000')).toMatch(/nas-0000\s+nas-0\.example\.net\s+…/);
  });

  it('renders only the visible window of 1,000 systems', async () => {
    const ui = draw(withSystems(1000), { size: { columns: 100, rows: 30 } });
    const frame = await ui.waitForContent('nas-0000');
    const rows = frame.split('\n').filter((line) => /nas-\d{4}/.test(line));
    expect(rows).toHaveLength(bodyHeight(ui.store.getState()));
    expect(frame).not.toContain('nas-0999');
    expect(frame.split('\n').length).toBeLessThanOrEqual(29);
  });

  it('follows a resize', async () => {
    const ui = draw(withSystems(1000), { size: { columns: 100, rows: 30 } });
    await ui.waitForContent('nas-0000');
    ui.resize(120, 40);
    const frame = await ui.waitForContent((f) => f.split('\n').length === 39);
    const rows = frame.split('\n').filter((line) => /nas-\d{4}/.test(line));
    expect(rows).toHaveLength(tableHeight({ columns: 120, rows: 40 }, 0));
    expect(frame.split('\n').some((line) => line.length > 100)).toBe(true);
  });

  it('below 80×24 shows only the notice', async () => {
    const ui = draw(withSystems(3), { size: { columns: 60, rows: 20 } });
    const frame = await ui.waitForContent('terminal too small');
    expect(frame).toContain('terminal too small: need 80×24, have 60×20');
    expect(frame).not.toContain('nas-0000');
    ui.resize(80, 24);
    await ui.waitForContent('nas-0000');
  });
});

describe('Keyring screen', () => {
  it('has exactly the columns TrueNAS, Key and Connected, with Stored or blank and True or False', async () => {
    const ui = draw((state) =>
      [
        { type: 'screenChanged', screen: 'keyring' } as const,
        { type: 'keyringChanged', state: 'unlocked', name: 'home' } as const,
      ].reduce(reducer, withSystems(3, [status('id-0', true), status('id-1', false, 'no key'), status('id-2', false, 'unreachable')])(state)),
    );
    const frame = await ui.waitForContent('nas-0002');
    const lines = frame.split('\n');
    const heading = lines.find((line) => /^\s+TrueNAS\s/.test(line))!;
    expect(heading.trim().split(/\s{2,}/)).toEqual(['TrueNAS', 'Key', 'Connected']);
    const row = (name: string) => lines.find((line) => line.includes(name))!.replace(/^[›\s]+/, '').trim().split(/\s{2,}/);
    expect(row('nas-0000')).toEqual(['nas-0000', 'Stored', 'True']);
    expect(row('nas-0001')).toEqual(['nas-0001', 'False · no key']);
    expect(row('nas-0002')).toEqual(['nas-0002', 'False · unreachable']);
    expect(frame).toContain('Unlocked: home');
    expect(frame).toMatch(/← Dashboard\s+Reset/);
    expect(frame).not.toContain('Create Keyring');
  });

  it('offers Create Keyring when there is none, and Unlock when locked', async () => {
    const none = draw((state) => reducer(withSystems(1)(state), { type: 'screenChanged', screen: 'keyring' }));
    expect(await none.waitForContent('Create Keyring')).toMatch(/\[Reset\]/);
    const locked = draw((state) =>
      [
        { type: 'screenChanged', screen: 'keyring' } as const,
        { type: 'keyringChanged', state: 'locked', name: 'home' } as const,
      ].reduce(reducer, withSystems(1)(state)),
    );
    const frame = await locked.waitForContent('Unlock');
    expect(frame).toContain('Locked');
    expect(frame).not.toContain('Create Keyring');
  });
});
