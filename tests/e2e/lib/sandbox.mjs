// Start and stop a `stratus sandbox` for an end-to-end test.
//
//   const sb = await startSandbox({ dir, identifier });
//   sb.outputs   // parsed amplify_outputs.json
//   sb.url       // outputs.data.url (https://127.0.0.1:<port>/graphql)
//   sb.caFile    // outputs.custom.stratus.ca_file (the local CA the HTTPS certificate chains to)
//   await sb.stop();
//
// The binary is $STRATUS_BIN, default <repo>/../.stratus-target/debug/stratus.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests/e2e/lib/ -> ../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where the stratus binary is: $STRATUS_BIN or <repo>/../.stratus-target/debug/stratus. */
export function stratusBin() {
  return path.resolve(process.env.STRATUS_BIN || path.join(REPO_ROOT, '..', '.stratus-target', 'debug', 'stratus'));
}

/** Thrown when the stratus binary does not exist or cannot be executed. */
export class StratusBinaryMissingError extends Error {
  constructor(bin) {
    super(
      `stratus binary not found at ${bin}: build it first (cargo build -p stratus-cli) ` +
        'or point STRATUS_BIN at it',
    );
    this.name = 'StratusBinaryMissingError';
    this.bin = bin;
  }
}

/** Throws StratusBinaryMissingError unless `bin` is an executable file. */
export function assertBinary(bin = stratusBin()) {
  try {
    fs.accessSync(bin, fs.constants.X_OK);
    if (!fs.statSync(bin).isFile()) throw new Error('not a file');
  } catch {
    throw new StratusBinaryMissingError(bin);
  }
  return bin;
}

/**
 * `stratus ca --path`: the local CA certificate's path (the binary creates the CA if missing).
 * Synchronous: used by run.mjs before it starts the test processes.
 */
export function caPath(bin = stratusBin()) {
  assertBinary(bin);
  const r = spawnSync(bin, ['ca', '--path'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`\`${bin} ca --path\` failed to run: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`\`${bin} ca --path\` exited ${r.status}:\n${r.stderr.trim()}`);
  }
  const lines = r.stdout.trim().split('\n').filter(Boolean);
  const file = lines.at(-1)?.trim();
  if (!file || !fs.existsSync(file)) {
    throw new Error(`\`${bin} ca --path\` printed ${JSON.stringify(r.stdout)}, which is not an existing file`);
  }
  return file;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves true when a TCP connection to host:port succeeds within `ms`. */
function portAnswers(host, port, ms = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A URL the sandbox serves, from its outputs: `data.url`, else the user pool endpoint. */
function serviceUrl(outputs) {
  return outputs?.data?.url ?? outputs?.custom?.stratus?.user_pool_endpoint;
}

/** The parsed outputs file, or undefined while it is missing or half-written. */
function readOutputs(file) {
  try {
    const outputs = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof serviceUrl(outputs) === 'string' ? outputs : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Spawns `stratus sandbox --dir <dir> --identifier <identifier> --port 0 --outputs-out-dir <tmp>`
 * and waits (at most `timeoutMs`) until `<tmp>/amplify_outputs.json` exists with a `data.url`
 * (or, for a backend without data, a user pool endpoint) and the port of that URL accepts
 * connections.
 *
 * @param {{ dir: string, identifier: string, timeoutMs?: number, bin?: string, env?: object }} options
 *   dir: the project folder that contains amplify/ (the sandbox keeps its state in
 *   <dir>/.amplify/stratus/<identifier>/, so pass a temporary copy: see fixtures.mjs).
 */
export async function startSandbox({ dir, identifier, timeoutMs = 30_000, bin = stratusBin(), env = {} }) {
  assertBinary(bin);
  if (!dir || !fs.existsSync(path.join(dir, 'amplify'))) {
    throw new Error(`startSandbox: ${dir} has no amplify/ folder`);
  }
  if (!identifier) throw new Error('startSandbox: an identifier is required');

  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-e2e-outputs-'));
  const outputsPath = path.join(outDir, 'amplify_outputs.json');
  const args = ['sandbox', '--dir', dir, '--identifier', identifier, '--port', '0', '--outputs-out-dir', outDir];
  const child = spawn(bin, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

  // Keep the sandbox's output for error messages (bounded).
  let log = '';
  const keep = (chunk) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited;
  const exitedPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    child.once('error', (error) => {
      exited = { error };
      resolve(exited);
    });
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exitedPromise, sleep(5_000).then(() => undefined)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exitedPromise;
      }
    }
    fs.rmSync(outDir, { recursive: true, force: true });
  };

  const describeFailure = (why) =>
    `stratus sandbox (${[bin, ...args].join(' ')}) ${why}\n--- sandbox output ---\n${log.trim() || '(none)'}`;

  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exited) {
        const how = exited.error ? `failed to start: ${exited.error.message}` : `exited early (code ${exited.code}, signal ${exited.signal})`;
        throw new Error(describeFailure(how));
      }
      const outputs = readOutputs(outputsPath);
      if (outputs) {
        const url = new URL(serviceUrl(outputs));
        const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
        if (await portAnswers(url.hostname.replace(/^\[|\]$/g, ''), port)) {
          return {
            outputs,
            outputsPath,
            url: outputs.data?.url,
            port,
            origin: url.origin,
            caFile: outputs.custom?.stratus?.ca_file,
            process: child,
            logs: () => log,
            stop,
          };
        }
      }
      if (Date.now() > deadline) {
        throw new Error(
          describeFailure(
            `was not ready after ${timeoutMs} ms (${outputs ? `port of ${serviceUrl(outputs)} does not answer` : `${outputsPath} not written`})`,
          ),
        );
      }
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
