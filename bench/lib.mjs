// Start-up shared by the bench scripts: the repository root, the command-line options and the
// `stratus` binary they measure.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const args = process.argv.slice(2);

/** The value after `name` on the command line, else `dflt`. */
export function opt(name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
}

/** `--bin`, else `$STRATUS_BIN`, else the release build in the shared target dir. */
export const stratusBin = () =>
  opt('--bin', process.env.STRATUS_BIN || path.resolve(repo, '../.stratus-target/release/stratus'));
