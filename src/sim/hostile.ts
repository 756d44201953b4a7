// Server strings a client must clean before they reach a terminal: OSC, CSI and C1 escapes, bidi
// overrides, newlines, lone surrogates and long texts. The simulator sends them as they are.
import type { SystemState } from './system-state.js';

/** OSC 0 (window title), OSC 52 (clipboard write), CSI clear screen, a C1 CSI, DEL and a BEL. */
const ESCAPES = '\u001b]0;pwned\u0007\u001b]52;c;ZWNobyBwd25lZA==\u0007\u001b[2J\u001b[31m\u009b1;31m\u007f';
/** RIGHT-TO-LEFT OVERRIDE … POP DIRECTIONAL FORMATTING, and an isolate. */
const BIDI = '\u202egnp.exe\u202c\u2067x\u2069';

export const HOSTILE = {
  hostname: `nas${ESCAPES}${BIDI}`,
  model: `AMD${ESCAPES} Ryzen${BIDI}`,
  pool: `tank${ESCAPES}${BIDI}`,
  /** Long, multi-line, any Unicode (CJK, emoji, combining marks, a lone surrogate) plus escapes. */
  alert: `Pool tank state is DEGRADED${ESCAPES}\nline two ${BIDI}\n池の状態 💾 é\u0301 \ud800 ${'x'.repeat(5000)}`,
};

export function makeHostile(state: SystemState): void {
  state.hostname = HOSTILE.hostname;
  state.model = HOSTILE.model;
  const first = state.pools.list()[0];
  if (first) state.pools.rename(first.name, HOSTILE.pool);
  state.alerts.add({ klass: 'VolumeStatus', level: 'CRITICAL', formatted: HOSTILE.alert, text: HOSTILE.alert });
}
