#!/usr/bin/env node
// Benchmark: the sandbox's S3 API (release `stratus sandbox`, examples/notes = defineAuth +
// defineStorage, in a temp copy) over HTTP with SigV4 (the sandbox admin key, UNSIGNED-PAYLOAD,
// bodies streamed from / to files, one keep-alive connection), next to references measured in
// the same run on the same disk:
//   - PUT and GET throughput of 1 MiB and 256 MiB objects (median of --reps), each beside a
//     plain file copy of the same bytes (read + write in 1 MiB blocks; for PUT a durable one —
//     temp file, fsync, rename, fsync of the directory — as the server does before it answers;
//     for GET without fsync, as its client writes), `cp`, and the MD5 of the bytes alone (the
//     ETag the server must compute);
//   - the client alone: the same PUT/GET code against a discard/zero server in another Node
//     process (so the client is not the bottleneck measured);
//   - 256 MiB over HTTPS (what aws-amplify uses) and with curl --aws-sigv4;
//   - the stratus process's memory: VmRSS idle, then VmHWM (reset through clear_refs) and the
//     sampled VmRSS during a 1 GiB upload (and its download).
//
// Usage: node bench/storage.mjs [--bin PATH] [--reps N] [--big-reps N] [--big-mib M] [--huge-mib M] [--no-tls]
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

import { startSandbox } from '../tests/e2e/lib/sandbox.mjs';
import { args, opt, repo, stratusBin } from './lib.mjs';

const bin = stratusBin();
const reps = Number(opt('--reps', '20'));
const bigReps = Number(opt('--big-reps', '5'));
const hugeMiB = Number(opt('--huge-mib', '1024'));
const bigMiB = Number(opt('--big-mib', '256'));
const withTls = !args.includes('--no-tls');
const MiB = 1024 * 1024;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);

// ---- files ------------------------------------------------------------------------------

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-bench-storage-'));

function randomFile(name, size) {
  const file = path.join(work, name);
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(Math.min(size, 4 * MiB));
  const md5 = crypto.createHash('md5');
  for (let done = 0; done < size; ) {
    const n = Math.min(block.length, size - done);
    crypto.randomFillSync(block, 0, n);
    fs.writeSync(fd, block, 0, n);
    md5.update(block.subarray(0, n));
    done += n;
  }
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  return { file, size, etag: `"${md5.digest('hex')}"` };
}

/**
 * read + write in 1 MiB blocks: the bytes through user space, as the server moves them. With
 * `durable`, the same publication as the server's: write a temp file, fsync it, rename it, fsync
 * the directory.
 */
function copyFile(src, dst, durable) {
  const t0 = now();
  const tmp = durable ? `${dst}.tmp` : dst;
  const rfd = fs.openSync(src, 'r');
  const wfd = fs.openSync(tmp, 'w');
  const buf = Buffer.allocUnsafe(MiB);
  for (;;) {
    const n = fs.readSync(rfd, buf, 0, buf.length, null);
    if (n === 0) break;
    fs.writeSync(wfd, buf, 0, n);
  }
  if (durable) fs.fsyncSync(wfd);
  fs.closeSync(rfd);
  fs.closeSync(wfd);
  if (durable) {
    fs.renameSync(tmp, dst);
    const dfd = fs.openSync(path.dirname(dst), 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  }
  const ms = now() - t0;
  fs.rmSync(dst);
  return ms;
}

/** MD5 of the file (OpenSSL through node:crypto), read in 1 MiB blocks: the ETag's cost alone. */
function md5File(src) {
  const t0 = now();
  const fd = fs.openSync(src, 'r');
  const buf = Buffer.allocUnsafe(MiB);
  const h = crypto.createHash('md5');
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    h.update(buf.subarray(0, n));
  }
  h.digest();
  fs.closeSync(fd);
  return now() - t0;
}

function cpFile(src, dst) {
  const t0 = now();
  const r = spawnSync('cp', [src, dst]);
  const ms = now() - t0;
  if (r.status !== 0) throw new Error(`cp failed: ${r.stderr}`);
  fs.rmSync(dst);
  return ms;
}

// ---- a minimal SigV4 client (UNSIGNED-PAYLOAD, streaming) --------------------------------

const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
const sha256hex = (data) => crypto.createHash('sha256').update(data).digest('hex');
const uriEncode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function sign({ method, host, pathname, query = '', creds, region, headers = {} }) {
  const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const all = { ...headers, host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-date': amzDate };
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  const canonicalHeaders = names.map((n) => `${n}:${lower[n]}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((p) => p.split('=').map((x) => uriEncode(decodeURIComponent(x ?? ''))).concat(['']).slice(0, 2).join('='))
    .sort()
    .join('&');
  const canonical = [method, pathname, canonicalQuery, canonicalHeaders, signedHeaders, 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonical)].join('\n');
  let k = hmac(`AWS4${creds.secretAccessKey}`, day);
  k = hmac(hmac(hmac(k, region), 's3'), 'aws4_request');
  const signature = hmac(k, toSign).toString('hex');
  return {
    ...all,
    authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

class Client {
  constructor({ origin, bucket, region, creds, ca }) {
    this.url = new URL(origin);
    this.bucket = bucket;
    this.region = region;
    this.creds = creds;
    this.lib = this.url.protocol === 'https:' ? https : http;
    this.agent = new this.lib.Agent({ keepAlive: true, maxSockets: 1, ca });
  }

  #request(method, key, headers) {
    const pathname = `/${this.bucket}/${key.split('/').map(uriEncode).join('/')}`;
    const signed = sign({ method, host: this.url.host, pathname, creds: this.creds, region: this.region, headers });
    return this.lib.request({
      method,
      host: this.url.hostname,
      port: this.url.port,
      path: pathname,
      headers: signed,
      agent: this.agent,
    });
  }

  /** PUTs `file` as `key`, streaming it; resolves with { ms, etag }. */
  put(key, file, size) {
    return new Promise((resolve, reject) => {
      const t0 = now();
      const req = this.#request('PUT', key, { 'content-length': size, 'content-type': 'application/octet-stream' });
      req.on('error', (e) => reject(new Error(`PUT ${key} (${this.url.origin}): ${e.message}`)));
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          const ms = now() - t0;
          if (res.statusCode !== 200) reject(new Error(`PUT ${key}: ${res.statusCode} ${body}`));
          else resolve({ ms, etag: res.headers.etag });
        });
      });
      fs.createReadStream(file, { highWaterMark: MiB }).on('error', reject).pipe(req);
    });
  }

  /** GETs `key` into `dest` (not fsynced); resolves with { ms, bytes } once the file is written. */
  get(key, dest) {
    return new Promise((resolve, reject) => {
      const t0 = now();
      const req = this.#request('GET', key, {});
      req.on('error', (e) => reject(new Error(`GET ${key} (${this.url.origin}): ${e.message}`)));
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => reject(new Error(`GET ${key}: ${res.statusCode} ${body}`)));
          return;
        }
        const out = fs.createWriteStream(dest, { highWaterMark: MiB });
        res.pipe(out);
        out.on('error', reject);
        out.on('finish', () => resolve({ ms: now() - t0, bytes: out.bytesWritten }));
      });
      req.end();
    });
  }

  close() {
    this.agent.destroy();
  }
}

// ---- the client alone: a discard (PUT) / zero (GET) server in another process ------------

function startSinkServer() {
  const code = `
    const http = require('node:http');
    const zero = Buffer.alloc(1024 * 1024);
    const s = http.createServer((req, res) => {
      if (req.method === 'PUT') {
        req.on('data', () => {});
        req.on('end', () => { res.writeHead(200, { etag: '"x"' }); res.end(); });
      } else {
        const size = Number(new URL(req.url, 'http://x').pathname.split('/').pop());
        res.writeHead(200, { 'content-length': size });
        let left = size;
        const more = () => {
          while (left > 0) {
            const n = Math.min(left, zero.length);
            left -= n;
            if (!res.write(zero.subarray(0, n))) return res.once('drain', more);
          }
          res.end();
        };
        more();
      }
    });
    s.keepAliveTimeout = 600000; // the bench's synchronous copies can outlast the 5 s default
    s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout.once('data', (d) => resolve({ child, port: Number(String(d).trim()) })));
}

// ---- memory of the stratus process ------------------------------------------------------

function status(pid) {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** CPU time (user + system) the process has used, in ms (clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Samples VmRSS every 10 ms while `fn` runs; resets VmHWM first (clear_refs 5). */
async function withMemory(pid, fn) {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  const before = status(pid);
  let maxRss = before.rss;
  const timer = setInterval(() => {
    maxRss = Math.max(maxRss, status(pid).rss);
  }, 10);
  try {
    const result = await fn();
    return { result, before, maxRss, hwm: status(pid).hwm };
  } finally {
    clearInterval(timer);
  }
}

// ---- curl (C client) cross-check ---------------------------------------------------------

function curl(method, url, creds, region, file) {
  const a = ['-sS', '-o', method === 'GET' ? file : '/dev/null', '-w', '%{http_code} %{time_total}', '--aws-sigv4', `aws:amz:${region}:s3`];
  a.push('--user', `${creds.accessKeyId}:${creds.secretAccessKey}`, '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD');
  if (method === 'PUT') a.push('-T', file);
  a.push(url);
  const r = spawnSync('curl', a, { encoding: 'utf8' });
  const [code, secs] = (r.stdout || '').trim().split(' ');
  if (code !== '200') throw new Error(`curl ${method}: ${code} ${r.stderr}`);
  return Number(secs) * 1000;
}

// ---- the run ------------------------------------------------------------------------------

function loadLine() {
  return `load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`;
}

async function main() {
  console.log(`stratus: ${bin}`);
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}; ${loadLine()}`);
  console.log(`work dir: ${work}`);
  const files = {
    '1 MiB': randomFile('one.bin', MiB),
    [`${bigMiB} MiB`]: randomFile('big.bin', bigMiB * MiB),
  };
  const huge = randomFile('huge.bin', hugeMiB * MiB);

  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-bench-storage-project-'));
  fs.cpSync(path.join(repo, 'examples/notes/amplify'), path.join(project, 'amplify'), { recursive: true });
  const sandbox = await startSandbox({ dir: project, identifier: 'bench-storage', bin, timeoutMs: 60_000 });
  const pid = sandbox.process.pid;
  const rows = [];
  const row = (...cells) => {
    rows.push(cells);
    console.log(cells.join(' | '));
  };
  try {
    const stateDir = path.join(project, '.amplify', 'stratus');
    const [id] = fs.readdirSync(stateDir);
    const creds = JSON.parse(fs.readFileSync(path.join(stateDir, id, 'admin-credentials.json'), 'utf8'));
    const { outputs } = sandbox;
    const bucket = outputs.storage.bucket_name;
    const region = outputs.storage.aws_region;
    const httpOrigin = `http://127.0.0.1:${sandbox.port}`;
    const idle = status(pid);
    console.log(`stratus pid ${pid}: idle VmRSS ${idle.rss.toFixed(1)} MiB (VmHWM ${idle.hwm.toFixed(1)} MiB)`);

    const client = new Client({ origin: httpOrigin, bucket, region, creds });
    const sink = await startSinkServer();
    const sinkClient = new Client({ origin: `http://127.0.0.1:${sink.port}`, bucket: 'sink', region, creds });
    const dest = path.join(work, 'download.bin');
    try {
      // Warm up the connection, the code paths and the page cache.
      await client.put('public/warm', files['1 MiB'].file, MiB);
      await client.get('public/warm', dest);

      for (const [label, f] of Object.entries(files)) {
        const n = label === '1 MiB' ? reps : bigReps;
        const put = [];
        const get = [];
        const putCpu = [];
        const getCpu = [];
        const copySync = [];
        const copy = [];
        const cp = [];
        const md5 = [];
        const sinkPut = [];
        const sinkGet = [];
        for (let i = 0; i < n; i++) {
          const key = `public/bench-${label.replace(' ', '')}-${i}.bin`;
          let c0 = cpuMs(pid);
          const p = await client.put(key, f.file, f.size);
          putCpu.push(cpuMs(pid) - c0);
          if (p.etag !== f.etag) throw new Error(`${key}: ETag ${p.etag}, expected ${f.etag}`);
          put.push(p.ms);
          c0 = cpuMs(pid);
          const g = await client.get(key, dest);
          getCpu.push(cpuMs(pid) - c0);
          if (g.bytes !== f.size) throw new Error(`${key}: got ${g.bytes} bytes`);
          get.push(g.ms);
          copySync.push(copyFile(f.file, path.join(work, 'copy.bin'), true));
          copy.push(copyFile(f.file, path.join(work, 'copy.bin'), false));
          cp.push(cpFile(f.file, path.join(work, 'cp.bin')));
          md5.push(md5File(f.file));
          sinkPut.push((await sinkClient.put(`x/${f.size}`, f.file, f.size)).ms);
          sinkGet.push((await sinkClient.get(`x/${f.size}`, path.join(work, 'sink-download.bin'))).ms);
        }
        // The last download is byte-identical to the source.
        const got = crypto.createHash('md5').update(fs.readFileSync(dest)).digest('hex');
        if (`"${got}"` !== f.etag) throw new Error(`${label}: downloaded bytes differ`);
        const fmt = (xs) => `${median(xs).toFixed(1)} ms = ${mbps(f.size, median(xs)).toFixed(0)} MB/s`;
        row(label, `PUT ${fmt(put)}`, `durable copy ${fmt(copySync)}`, `client alone ${fmt(sinkPut)}`, `MD5 alone ${fmt(md5)}`);
        row(label, `GET ${fmt(get)}`, `copy ${fmt(copy)}`, `client alone ${fmt(sinkGet)}`, `cp ${fmt(cp)}`);
        const sum = (xs) => xs.reduce((a, b) => a + b, 0);
        console.log(
          `  stratus CPU per request (user + system, 10 ms ticks, mean): PUT ${(sum(putCpu) / n).toFixed(1)} ms, GET ${(sum(getCpu) / n).toFixed(1)} ms`,
        );
        console.log(`  (${n} reps; ${loadLine()})`);
      }

      // curl as the client (C, one request per process).
      const big = files[`${bigMiB} MiB`];
      const url = `${httpOrigin}/${bucket}/public/bench-curl.bin`;
      try {
        const cput = [];
        const cget = [];
        const cnull = [];
        for (let i = 0; i < bigReps; i++) {
          cput.push(curl('PUT', url, creds, region, big.file));
          cget.push(curl('GET', url, creds, region, dest));
          cnull.push(curl('GET', url, creds, region, '/dev/null'));
        }
        const f = (xs) => `${median(xs).toFixed(1)} ms = ${mbps(big.size, median(xs)).toFixed(0)} MB/s`;
        row(`${bigMiB} MiB curl`, `PUT ${f(cput)}`, `GET to a file ${f(cget)}`, `GET to /dev/null ${f(cnull)}`);
      } catch (e) {
        console.log(`curl cross-check skipped: ${e.message}`);
      }

      if (withTls) {
        const tls = new Client({ origin: `https://127.0.0.1:${sandbox.port}`, bucket, region, creds, ca: fs.readFileSync(sandbox.caFile) });
        try {
          const tput = [];
          const tget = [];
          for (let i = 0; i < bigReps; i++) {
            tput.push((await tls.put(`public/bench-tls-${i}.bin`, big.file, big.size)).ms);
            tget.push((await tls.get(`public/bench-tls-${i}.bin`, dest)).ms);
          }
          row(`${bigMiB} MiB HTTPS`, `PUT ${median(tput).toFixed(1)} ms = ${mbps(big.size, median(tput)).toFixed(0)} MB/s`, `GET ${median(tget).toFixed(1)} ms = ${mbps(big.size, median(tget)).toFixed(0)} MB/s`);
        } finally {
          tls.close();
        }
      }

      // Memory during a huge upload and its download.
      const idleBefore = status(pid);
      const up = await withMemory(pid, () => client.put('public/huge.bin', huge.file, huge.size));
      if (up.result.etag !== huge.etag) throw new Error(`huge: ETag ${up.result.etag}, expected ${huge.etag}`);
      const down = await withMemory(pid, () => client.get('public/huge.bin', dest));
      const cs = copyFile(huge.file, path.join(work, 'copy.bin'), true);
      console.log(
        `${hugeMiB} MiB PUT ${up.result.ms.toFixed(0)} ms = ${mbps(huge.size, up.result.ms).toFixed(0)} MB/s (durable copy ${mbps(huge.size, cs).toFixed(0)} MB/s), ` +
          `GET ${mbps(huge.size, down.result.ms).toFixed(0)} MB/s`,
      );
      row(
        `memory, ${hugeMiB} MiB`,
        `idle VmRSS ${idleBefore.rss.toFixed(1)} MiB`,
        `PUT: VmHWM ${up.hwm.toFixed(1)} MiB, max sampled VmRSS ${up.maxRss.toFixed(1)} MiB (+${(up.hwm - idleBefore.rss).toFixed(1)} MiB over idle)`,
        `GET: VmHWM ${down.hwm.toFixed(1)} MiB (+${(down.hwm - idleBefore.rss).toFixed(1)} MiB)`,
      );
      if (up.hwm - idleBefore.rss > 64) console.log(`!! peak RSS during the upload is ${(up.hwm - idleBefore.rss).toFixed(1)} MiB above idle (limit 64)`);
    } finally {
      client.close();
      sinkClient.close();
      sink.child.kill();
    }
    console.log(`done; ${loadLine()}`);
  } catch (e) {
    console.error(`--- sandbox log (tail) ---\n${sandbox.logs().slice(-3000)}`);
    throw e;
  } finally {
    await sandbox.stop();
    fs.rmSync(project, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
