// A full-screen Ink app for screen-redraw.test.ts, run in tmux: a frame of `rows - 1` lines
// (as tnc's) with a cursor line that `j` moves and a bordered box that `d` opens and closes,
// drawn either through tnc's frame writer or by Ink 6.8's own incremental writer.
// After every change it writes the frame it means to show, rendered apart with renderToString,
// to the file named in argv[3], so that the test can hold the terminal's screen against it.
import { writeFileSync } from 'node:fs';
import { Box, render, renderToString, Text, useInput, useStdout } from 'ink';
import { useEffect, useReducer, useState } from 'react';
import { drawnBy, FrameWriter } from '../../components/frame/frame-writer.js';

const [mode, expectedFile] = process.argv.slice(2) as ['writer' | 'ink-incremental', string];

interface Look {
  cursor: number;
  box: boolean;
  columns: number;
  rows: number;
}

function Frame({ cursor, box, columns, rows }: Look) {
  const lines = Array.from({ length: rows - 1 }, (_, i) => (i === cursor ? `> line ${i} selected` : `  line ${i}`));
  return (
    <Box flexDirection="column" width={columns} height={rows - 1}>
      {box ? (
        <>
          {lines.slice(0, 1).map((line) => (
            <Text key={line}>{line}</Text>
          ))}
          <Box borderStyle="round" flexDirection="column" width={Math.min(30, columns)}>
            <Text>A box over the lines</Text>
            <Text>d closes it</Text>
          </Box>
          {lines.slice(5).map((line) => (
            <Text key={line}>{line}</Text>
          ))}
        </>
      ) : (
        lines.map((line) => <Text key={line}>{line}</Text>)
      )}
    </Box>
  );
}

const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

function App() {
  const { stdout } = useStdout();
  const [size, remeasure] = useReducer(() => ({ columns: stdout.columns, rows: stdout.rows }), { columns: stdout.columns, rows: stdout.rows });
  const [cursor, setCursor] = useState(0);
  const [box, setBox] = useState(false);
  useEffect(() => {
    stdout.on('resize', remeasure);
    return () => {
      stdout.off('resize', remeasure);
    };
  }, [stdout]);
  useInput((input) => {
    if (input === 'j') setCursor((n) => n + 1);
    if (input === 'd') setBox((open) => !open);
    if (input === 'q') process.exit(0);
  });
  const look = { cursor, box, ...size };
  useEffect(() => {
    // Outside React's commit: renderToString is a render of its own.
    setImmediate(() => writeFileSync(expectedFile, plain(renderToString(<Frame {...look} />, { columns: look.columns }))));
  });
  return <Frame {...look} />;
}

process.stdout.write('\x1b[?1049h\x1b[H\x1b[2J');
if (mode === 'writer') render(<App />, { ...drawnBy(new FrameWriter(process.stdout)), patchConsole: false });
else render(<App />, { incrementalRendering: true, patchConsole: false });
