#!/usr/bin/env node
// Benchmark: user-pool sign-ins per second (SRP and USER_PASSWORD_AUTH) beside the raw cost of
// the 3072-bit modular exponentiations (and argon2id) that bound them, measured in the same
// run. The work is crates/auth/examples/bench.rs (the real action handlers on a real SQLite
// store, in process, release build); this script builds and runs it, repeating it `--runs`
// times and printing each run's report.
//
// Usage: node bench/auth.mjs [--runs N] [--seconds S] [--workers W]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const runs = Number(opt('runs', '3'));
const extra = ['--seconds', opt('seconds', '5')];
if (args.includes('--workers')) extra.push('--workers', opt('workers', '2'));

const build = spawnSync('cargo', ['build', '--release', '-p', 'stratus-auth', '--example', 'bench'], {
  cwd: repo,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);
const bin = path.resolve(repo, '..', '.stratus-target', 'release', 'examples', 'bench');
for (let i = 1; i <= runs; i++) {
  const r = spawnSync(bin, extra, { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.exit(r.status ?? 1);
  }
  process.stdout.write(`run ${i}/${runs}\n${r.stdout}\n`);
}
