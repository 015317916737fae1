#!/usr/bin/env node
// Benchmark: `stratus sandbox` cold start (process start → amplify_outputs.json written and the
// port answering) and hot reload (save of data/resource.ts → outputs rewritten and the new
// backend live), on each shared example, next to references measured in the same run:
//   - the process-spawn floor (`node -e 0`-free: spawning `true`),
//   - the real Amplify toolchain generating the same data outputs offline (../shared/oracle),
//     which is only the synth step of what `ampx sandbox` does before it deploys.
//
// Usage: node bench/sandbox.mjs [--runs N] [--bin PATH] [--no-oracle]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

import { args, opt, repo, stratusBin } from './lib.mjs';

const runs = Number(opt('--runs', '10'));
const bin = stratusBin();
const withOracle = !args.includes('--no-oracle');
const oracle = path.resolve(repo, '../shared/oracle/oracle.mjs');

const examples = [
  ['todo-owner', path.resolve(repo, 'tests/fixtures/conformance/ex-todo-owner')],
  ['blog-relations', path.resolve(repo, 'tests/fixtures/conformance/ex-blog-relations')],
  ['custom-function', path.resolve(repo, 'tests/fixtures/conformance/ex-custom-function')],
  ['notes (examples/)', path.resolve(repo, 'examples/notes')],
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e6;

function portAnswers(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

async function health(port) {
  const res = await fetch(`http://127.0.0.1:${port}/_stratus/health`);
  return res.json();
}

// Resident memory of the sandbox right after start (Linux /proc), in MiB.
function readRssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function copyProject(src) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-bench-'));
  fs.cpSync(path.join(src, 'amplify'), path.join(dir, 'amplify'), { recursive: true });
  return dir;
}

async function waitFor(pred, timeoutMs, what) {
  const t0 = now();
  while (now() - t0 < timeoutMs) {
    if (await pred()) return;
    await sleep(1);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function coldStartAndReload(src) {
  const dir = copyProject(src);
  const out = path.join(dir, 'out');
  fs.mkdirSync(out);
  const outputs = path.join(out, 'amplify_outputs.json');
  const t0 = now();
  const child = spawn(bin, ['sandbox', '--dir', dir, '--identifier', 'bench', '--port', '0', '--outputs-out-dir', out], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    let port;
    await waitFor(async () => {
      if (!fs.existsSync(outputs)) return false;
      try {
        port = Number(new URL(JSON.parse(fs.readFileSync(outputs, 'utf8')).data.url).port);
      } catch {
        return false;
      }
      return portAnswers(port);
    }, 20000, 'outputs + port');
    const cold = now() - t0;
    const rssMiB = readRssMiB(child.pid);

    // Reload: add a field to the first model of data/resource.ts.
    const before = (await health(port)).generation;
    const resource = path.join(dir, 'amplify/data/resource.ts');
    const text = fs.readFileSync(resource, 'utf8');
    const changed = text.replace(/a\s*\.model\(\{/, (m) => `${m}\n    benchField: a.string(),`);
    if (changed === text) throw new Error(`no a.model({ in ${resource}`);
    const before_outputs = fs.readFileSync(outputs, 'utf8');
    const t1 = now();
    fs.writeFileSync(resource, changed);
    await waitFor(async () => {
      const h = await health(port);
      return h.generation > before && fs.readFileSync(outputs, 'utf8') !== before_outputs;
    }, 20000, 'reload');
    const reload = now() - t1;
    const reportedReloadMs = (await health(port)).last_reload_ms;
    return { cold, reload, reportedReloadMs, rssMiB };
  } catch (e) {
    throw new Error(`${e.message}\n${stderr}`);
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    spawnSync(bin, ['sandbox', 'delete', '--dir', dir, '--identifier', 'bench']);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p90: q(0.9), min: s[0] };
}
const f = (ms) => `${ms.toFixed(1)} ms`;

function spawnFloor() {
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    spawnSync('true');
    xs.push(now() - t0);
  }
  return stats(xs);
}

function oracleTime(src) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-bench-oracle-'));
  const t0 = now();
  const r = spawnSync(process.execPath, [oracle, path.join(src, 'amplify'), out, '--quiet', '--no-resolvers'], { stdio: 'ignore' });
  const ms = now() - t0;
  fs.rmSync(out, { recursive: true, force: true });
  return r.status === 0 ? ms : NaN;
}

if (!fs.existsSync(bin)) {
  console.error(`stratus binary not found at ${bin}; build it with: cargo build --release --bin stratus`);
  process.exit(1);
}
console.log(`stratus: ${bin}\nruns per example: ${runs}\nmachine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB\n`);
const floor = spawnFloor();
console.log(`process spawn floor (spawn \`true\`): median ${f(floor.median)}\n`);
console.log('| example | cold start median (p90) | reload median (p90) | reload as reported by the server | RSS after start | real Amplify toolchain, offline synth of data only |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [name, src] of examples) {
  if (!fs.existsSync(src)) {
    console.log(`| ${name} | (missing ${src}) | | | | |`);
    continue;
  }
  const cold = [];
  const reload = [];
  const reported = [];
  const rss = [];
  for (let i = 0; i < runs; i++) {
    const r = await coldStartAndReload(src);
    cold.push(r.cold);
    reload.push(r.reload);
    if (typeof r.reportedReloadMs === 'number') reported.push(r.reportedReloadMs);
    if (!Number.isNaN(r.rssMiB)) rss.push(r.rssMiB);
  }
  const c = stats(cold);
  const rl = stats(reload);
  const rep = reported.length ? f(stats(reported).median) : 'n/a';
  const o = withOracle && fs.existsSync(oracle) ? f(oracleTime(src)) : 'skipped';
  const mem = rss.length ? `${stats(rss).median.toFixed(1)} MiB` : 'n/a';
  console.log(`| ${name} | ${f(c.median)} (${f(c.p90)}) | ${f(rl.median)} (${f(rl.p90)}) | ${rep} | ${mem} | ${o} |`);
}
