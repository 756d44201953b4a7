#!/usr/bin/env node
// The reference of the benchmarks: the smallest Ink app, packed, installed and started exactly
// like tnc (bench/programs.ts). `j`/`k` move a marker as tnc's row cursor, drawn at once (no
// frame cap), so that its key press time is Ink's own floor.
import { render, Text, useInput } from 'ink';
import { useState } from 'react';
import { systemName } from './names.js';

function Hello() {
  const [row, setRow] = useState(0);
  useInput((input) => setRow((n) => n + (input === 'j' ? 1 : input === 'k' ? -1 : 0)));
  return <Text>{`Hello, world\n› ${systemName(row)}`}</Text>;
}

render(<Hello />, { maxFps: 0 });
