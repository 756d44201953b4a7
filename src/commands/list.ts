// `tnc list`: the systems in the keyring file. Reads the file only: no passphrase, no network.
import { cleanText } from '../../store/clean-text.js';
import { addressText } from '../app/systems.js';
import type { ListCommand } from './args.js';
import { openKeyringFile } from './keyring.js';
import { EXIT_OK, jsonText, table, writeOut } from './output.js';

export async function runList(command: ListCommand): Promise<number> {
  const store = await openKeyringFile(command.dataDir);
  // Names and addresses come from a file someone may have edited: cleaned like a server's text.
  const systems = store.listSystems().map((system) => ({
    name: cleanText(system.name),
    address: cleanText(system.address),
    fingerprint: system.fingerprint === undefined ? null : cleanText(system.fingerprint),
    keyStored: store.hasEntry(system.id),
  }));
  await writeOut(
    command.json
      ? jsonText(systems)
      : table(
          ['Name', 'Address', 'Key'],
          systems.map((system) => [system.name, addressText(system), system.keyStored ? 'Stored' : '']),
        ),
  );
  return EXIT_OK;
}
