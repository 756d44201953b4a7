import { Box, Text } from 'ink';
import type { HelpScope } from '../../src/app/dialogs.js';
import { helpSections, keysLabel, type HelpSection } from '../keymap.js';
import { useTheme } from '../theme.js';

function lines(section: HelpSection): number {
  return section.bindings.length + 1;
}

/** Splits the sections into two columns of about equal height. */
function twoColumns(sections: readonly HelpSection[]): [HelpSection[], HelpSection[]] {
  const total = sections.reduce((sum, s) => sum + lines(s), 0);
  const left: HelpSection[] = [];
  let height = 0;
  for (const section of sections) {
    if (height > 0 && height + lines(section) / 2 > total / 2) break;
    left.push(section);
    height += lines(section);
  }
  return [left, sections.slice(left.length)];
}

function Column({ sections, keyWidth }: { sections: readonly HelpSection[]; keyWidth: number }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" flexGrow={1} flexBasis={0}>
      {sections.map((section) => (
        <Box key={section.title} flexDirection="column">
          <Text {...theme.text['text.title']}>{section.title}</Text>
          {section.bindings.map((binding) => (
            <Box key={`${section.title}-${binding.command}`}>
              <Box width={keyWidth} flexShrink={0}>
                <Text {...theme.text['text.key']}>{keysLabel(binding)}</Text>
              </Box>
              <Text wrap="truncate">{binding.description}</Text>
            </Box>
          ))}
        </Box>
      ))}
    </Box>
  );
}

/** Generated from the key map, so it lists exactly what the keys do. */
export function HelpOverlay({ scope }: { scope: HelpScope }) {
  const sections = helpSections(scope);
  const keyWidth = Math.max(...sections.flatMap((s) => s.bindings.map((b) => keysLabel(b).length))) + 2;
  const [left, right] = twoColumns(sections);
  return (
    <Box columnGap={2}>
      <Column sections={left} keyWidth={keyWidth} />
      <Column sections={right} keyWidth={keyWidth} />
    </Box>
  );
}
