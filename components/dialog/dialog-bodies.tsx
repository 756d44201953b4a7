// The words of each dialog (the seed's wording where it has some).
import { Box, Text } from 'ink';
import type { Dialog, DialogOf } from '../../src/app/dialogs.js';
import { HelpOverlay } from '../help/HelpOverlay.js';
import { useTheme } from '../theme.js';
import { wrapWords } from '../../src/app/wrap-words.js';

export function dialogTitle(dialog: Dialog): string {
  switch (dialog.kind) {
    case 'addSystem':
      return 'Add System';
    case 'trustCertificate':
      return 'Trust Certificate';
    case 'signIn':
      return `Sign In to ${dialog.systemName}`;
    case 'createKeyring':
      return 'Create Keyring Passphrase';
    case 'unlock':
      return 'Unlock Keyring';
    case 'resetKeyring':
      return 'Reset Keyring';
    case 'resetDone':
      return 'Keyring Reset';
    case 'removeSystem':
      return 'Remove System';
    case 'help':
      return 'Help';
  }
}

function Paragraphs({ lines, width }: { lines: readonly string[]; width: number }) {
  return (
    <Box flexDirection="column">
      {lines.flatMap((paragraph, p) => wrapWords(paragraph, width).map((line, i) => <Text key={`${p}-${i}`}>{line}</Text>))}
    </Box>
  );
}

/** A 95-character SHA-256 fingerprint on two lines of 16 bytes each. */
function fingerprintLines(fingerprint: string): string[] {
  const bytes = fingerprint.split(':');
  return bytes.length > 16 ? [bytes.slice(0, 16).join(':'), bytes.slice(16).join(':')] : [fingerprint];
}

function day(date: Date): string {
  return Number.isNaN(date.getTime()) ? '?' : date.toISOString().slice(0, 10);
}

function Labelled({ label, lines }: { label: string; lines: readonly string[] }) {
  const theme = useTheme();
  return (
    <Box>
      <Box width={10} flexShrink={0}>
        <Text {...theme.text['text.muted']}>{label}</Text>
      </Box>
      <Box flexDirection="column">
        {lines.map((line) => (
          <Text key={line} wrap="truncate">
            {line}
          </Text>
        ))}
      </Box>
    </Box>
  );
}

function TrustBody({ dialog, width }: { dialog: DialogOf<'trustCertificate'>; width: number }) {
  const { certificate, pinned } = dialog;
  const where = `${certificate.host}:${certificate.port}`;
  const intro = dialog.recordChanged
    ? `The record of ${dialog.systemName} was changed outside tnc (someone edited the keyring file): its address or pinned certificate may now point elsewhere. tnc sends it nothing until you trust it again. Check that ${where} is your TrueNAS and that this is its certificate.`
    : pinned
      ? `The certificate of ${dialog.systemName} (${where}) has changed since it was trusted. Trust the new one only if you know why it changed.`
      : `The certificate of ${dialog.systemName} (${where}) is not signed by an authority this machine trusts.`;
  return (
    <Box flexDirection="column">
      <Paragraphs lines={[intro]} width={width} />
      <Text> </Text>
      <Labelled label="Host" lines={[where]} />
      <Labelled label={pinned ? 'New' : 'SHA-256'} lines={fingerprintLines(certificate.fingerprint)} />
      {pinned ? <Labelled label="Pinned" lines={fingerprintLines(pinned)} /> : null}
      <Labelled label="Subject" lines={[certificate.subject]} />
      <Labelled label="Valid" lines={[`${day(certificate.validFrom)} to ${day(certificate.validTo)}`]} />
    </Box>
  );
}

function ResetDoneBody({ leftovers, maxLines, width }: { leftovers: readonly string[]; maxLines: number; width: number }) {
  if (leftovers.length === 0) return <Paragraphs lines={['The keyring was reset. No API keys were left on servers.']} width={width} />;
  const room = Math.max(1, maxLines);
  const shown = leftovers.length > room ? leftovers.slice(0, room - 1) : leftovers;
  const more = leftovers.length - shown.length;
  return (
    <Box flexDirection="column">
      <Paragraphs
        lines={['These API keys are still on their servers. Delete them in TrueNAS under Credentials → Users → API keys (the User API Key screen):']}
        width={width}
      />
      {shown.map((name) => (
        <Text key={name} wrap="truncate">{`  ${name}`}</Text>
      ))}
      {more > 0 ? <Text>{`  … and ${more} more`}</Text> : null}
    </Box>
  );
}

export function DialogBody({ dialog, maxLines, width }: { dialog: Dialog; maxLines: number; width: number }) {
  switch (dialog.kind) {
    case 'addSystem':
      return (
        <Paragraphs
          lines={[
            'Address: host, host:port or https://host[:port].',
            "Name is optional: it defaults to the server's hostname.",
          ]}
          width={width}
        />
      );
    case 'trustCertificate':
      return <TrustBody dialog={dialog} width={width} />;
    case 'signIn':
      return (
        <Paragraphs
          lines={
            dialog.step === 'otp'
              ? ['The account uses two-factor authentication: enter the code from its authenticator.']
              : ['Signs in once to create an API key for tnc on this system. The password is never stored.']
          }
          width={width}
        />
      );
    case 'createKeyring':
      return (
        <Paragraphs
          lines={[
            'The keyring gives quick authentication to TrueNAS servers by creating API keys and encrypting them client-side with a passphrase. TrueNAS user credentials are never stored.',
            'Use a passphrase different from your TrueNAS user password.',
          ]}
          width={width}
        />
      );
    case 'unlock':
      return (
        <Paragraphs
          lines={[...(dialog.purpose ? [dialog.purpose] : []), 'Enter the passphrase to unlock every system covered by the keyring.']}
          width={width}
        />
      );
    case 'resetKeyring':
      return (
        <Paragraphs
          lines={[
            'Resetting the keyring permanently removes the encryption keys from the database.',
            'Every TrueNAS server must then be authenticated by hand: sign in to each one again.',
          ]}
          width={width}
        />
      );
    case 'resetDone':
      return <ResetDoneBody leftovers={dialog.leftovers} maxLines={maxLines} width={width} />;
    case 'removeSystem':
      return (
        <Paragraphs
          lines={[
            `Remove ${dialog.systemName} (${dialog.address}) from tnc?`,
            'When the keyring is unlocked and the system is reachable, its tnc API key is deleted on the server too.',
          ]}
          width={width}
        />
      );
    case 'help':
      return <HelpOverlay scope={dialog.scope} />;
  }
}
