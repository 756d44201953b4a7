// tnc as the tests start it: the installed entry's program plus the hooks tests need, read
// from the environment. This file is not in the package, so no user can trip them.
//   TNC_TEST_KDF=OPSLIMIT,MEMLIMIT_MIB   cheaper Argon2id for keyrings created in the test
//   TNC_TEST_CRASH_ON_SIGUSR2=1          an uncaught error when SIGUSR2 arrives
import { main, type TestHooks } from '../../src/cli-main.js';

function hooks(env: NodeJS.ProcessEnv): TestHooks {
  const result: TestHooks = {};
  const kdf = /^(\d+),(\d+)$/.exec(env.TNC_TEST_KDF ?? '');
  if (kdf) result.kdf = { opslimit: Number(kdf[1]), memlimit: Number(kdf[2]) * 1024 * 1024 };
  if (env.TNC_TEST_CRASH_ON_SIGUSR2 === '1') result.crashOnSignal = true;
  return result;
}

void main(process.argv.slice(2), hooks(process.env));
