// Full screen means the alternate screen buffer; whatever way the program ends, the user's
// terminal must come back in normal mode with a visible cursor.

// The alternate screen keeps the cursor where the shell left it: home it so Ink draws from the top.
const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H\x1b[2J';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

export interface FullScreen {
  /** Idempotent: safe to call from every exit path. */
  restore(): void;
}

export function enterFullScreen(stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream): FullScreen {
  stdout.write(ENTER_ALT_SCREEN);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false);
    } catch {
      // The terminal may already be gone (SIGHUP); nothing left to restore then.
    }
    stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
  };
  process.once('exit', restore);
  return { restore };
}
