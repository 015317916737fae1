// Manual check of the S3 layer with the real aws-amplify 6.22.1 storage client (from
// tests/e2e/node_modules). Not part of `cargo test`.
//
//   cargo run -p stratus-storage --example serve -- 127.0.0.1:9000 /tmp/stratus-storage-check &
//   NODE_TLS_REJECT_UNAUTHORIZED=0 node crates/storage/tests/node/amplify_check.mjs 9000
//
// It puts a TLS proxy in front of the example server (the client only speaks HTTPS), configures
// Amplify with a credentials provider whose access key id names the principal (see
// examples/serve.rs) and runs the storage API with `options.customEndpoint`.
import { createRequire } from 'node:module';
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import https from 'node:https';
import http from 'node:http';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

// Node has no FileReader; the multipart path of the client uses it (the e2e harness polyfills it too).
globalThis.FileReader ??= class {
  readAsArrayBuffer(blob) {
    blob.arrayBuffer().then((r) => { this.result = r; this.onload?.(); this.onloadend?.(); }, (e) => { this.error = e; this.onerror?.(); });
  }
  readAsDataURL(blob) {
    blob.arrayBuffer().then((r) => { this.result = `data:${blob.type || 'application/octet-stream'};base64,${Buffer.from(r).toString('base64')}`; this.onload?.(); this.onloadend?.(); }, (e) => { this.error = e; this.onerror?.(); });
  }
};

const here = dirname(fileURLToPath(import.meta.url));
const e2e = join(here, '../../../../tests/e2e/');
const require = createRequire(e2e);
const { Amplify } = await import(require.resolve('@aws-amplify/core'));
const storage = await import(require.resolve('aws-amplify/storage'));
const { uploadData, downloadData, getProperties, list, copy, remove, getUrl } = storage;

const backendPort = Number(process.argv[2] ?? 9000);
const dir = mkdtempSync(join(tmpdir(), 'stratus-tls-'));
execSync(`openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout ${dir}/key.pem -out ${dir}/cert.pem 2>/dev/null`);
const proxy = https.createServer({ key: readFileSync(`${dir}/key.pem`), cert: readFileSync(`${dir}/cert.pem`) }, (req, res) => {
  const up = http.request({ host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  up.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
  req.pipe(up);
});
await new Promise((ok) => proxy.listen(0, '127.0.0.1', ok));
const endpoint = `localhost:${proxy.address().port}`;
const B = 'media.0123456789.stratus';

let who = { accessKeyId: 'ADMIN', identityId: 'us-east-1:admin' };
Amplify.configure(
  { Storage: { S3: { bucket: B, region: 'us-east-1' } } },
  {
    Auth: {
      credentialsProvider: {
        getCredentialsAndIdentityId: async () => ({
          credentials: { accessKeyId: who.accessKeyId, secretAccessKey: 'unused', sessionToken: 'unused', expiration: new Date(Date.now() + 3600_000) },
          identityId: who.identityId,
        }),
        clearCredentialsAndIdentityId: () => {},
      },
    },
  },
);
const as = (accessKeyId, identityId) => { who = { accessKeyId, identityId }; };
const opts = { customEndpoint: endpoint };
const results = [];
async function step(name, fn) {
  try { await fn(); results.push(['ok', name]); }
  catch (e) { results.push(['FAIL', name, e?.name, e?.message]); }
}
async function refused(name, fn) {
  try { await fn(); results.push(['FAIL', name, 'was allowed']); }
  catch (e) { results.push([e?.name === 'AccessDenied' || /Access Denied/.test(e?.message) ? 'ok' : 'FAIL', name, e?.name]); }
}

const U1 = 'us-east-1:u1', U2 = 'us-east-1:u2', G = 'us-east-1:g1';
as('AUTH_' + U1, U1);
await step('uploadData small (public/)', async () => {
  const r = await uploadData({ path: 'public/hello.txt', data: 'hello world', options: { ...opts, contentType: 'text/plain', metadata: { a: 'b' } } }).result;
  assert.equal(r.eTag, '"5eb63bbbe01eeed093cb22bb8f5acdc3"');
});
const big = new Uint8Array(6 * 1024 * 1024 + 10).map((_, i) => i % 251);
await step('uploadData 6 MiB (multipart)', async () => {
  const r = await uploadData({ path: 'public/big.bin', data: big, options: { ...opts } }).result;
  assert.match(r.eTag, /-2"$/);
  // Node's fetch reports no upload progress (browsers use XHR); only the result is checked.
  const r2 = await getProperties({ path: 'public/big.bin', options: opts });
  assert.equal(r2.size, big.length);
});
await step('uploadData with checksumAlgorithm crc-32 (single and multipart)', async () => {
  await uploadData({ path: 'public/crc-small.txt', data: 'crc me', options: { ...opts, checksumAlgorithm: 'crc-32' } }).result;
  const r = await uploadData({ path: 'public/crc-big.bin', data: big, options: { ...opts, checksumAlgorithm: 'crc-32' } }).result;
  assert.match(r.eTag, /-2"$/);
  await remove({ path: 'public/crc-small.txt', options: opts });
  await remove({ path: 'public/crc-big.bin', options: opts });
});
await step('downloadData whole', async () => {
  const r = await downloadData({ path: 'public/hello.txt', options: opts }).result;
  assert.equal(await r.body.text(), 'hello world');
  assert.equal(r.contentType, 'text/plain');
  assert.deepEqual(r.metadata, { a: 'b' });
});
await step('downloadData ranged', async () => {
  const r = await downloadData({ path: 'public/big.bin', options: { ...opts, bytesRange: { start: 5, end: 9 } } }).result;
  assert.deepEqual([...new Uint8Array(await (await r.body.blob()).arrayBuffer())], [5, 6, 7, 8, 9]);
});
await step('getProperties', async () => {
  const r = await getProperties({ path: 'public/big.bin', options: opts });
  assert.equal(r.size, big.length);
});
await step('list paged', async () => {
  const seen = [];
  let nextToken;
  do {
    const r = await list({ path: 'public/', options: { ...opts, pageSize: 1, nextToken } });
    seen.push(...r.items.map((i) => i.path));
    nextToken = r.nextToken;
  } while (nextToken);
  assert.deepEqual(seen, ['public/big.bin', 'public/hello.txt']);
});
await step('list subpathStrategy exclude', async () => {
  await uploadData({ path: 'public/dir/x.txt', data: 'x', options: opts }).result;
  const r = await list({ path: 'public/', options: { ...opts, listAll: true, subpathStrategy: { strategy: 'exclude' } } });
  assert.deepEqual(r.items.map((i) => i.path), ['public/big.bin', 'public/hello.txt']);
  assert.deepEqual(r.excludedSubpaths, ['public/dir/']);
});
await step('copy', async () => {
  await copy({ source: { path: 'public/hello.txt' }, destination: { path: 'public/copy.txt' }, options: opts });
  const r = await downloadData({ path: 'public/copy.txt', options: opts }).result;
  assert.equal(await r.body.text(), 'hello world');
});
await step('getUrl GET then fetch', async () => {
  const { url } = await getUrl({ path: 'public/hello.txt', options: { ...opts, validateObjectExistence: true } });
  const r = await fetch(url.toString().replace('https://', 'http://').replace(endpoint, `127.0.0.1:${backendPort}`));
  assert.equal(await r.text(), 'hello world');
});
await step('getUrl PUT then fetch', async () => {
  const { url } = await getUrl({ path: 'public/presigned.txt', options: { ...opts, method: 'PUT', contentType: 'text/plain' } });
  const direct = url.toString().replace('https://', 'http://').replace(endpoint, `127.0.0.1:${backendPort}`);
  const put = await fetch(direct, { method: 'PUT', body: 'via url', headers: { 'content-type': 'text/plain' } });
  assert.equal(put.status, 200);
  const r = await downloadData({ path: 'public/presigned.txt', options: opts }).result;
  assert.equal(await r.body.text(), 'via url');
});
await step('remove file', async () => {
  await remove({ path: 'public/copy.txt', options: opts });
  await assert.rejects(getProperties({ path: 'public/copy.txt', options: opts }));
});
await step('remove folder', async () => {
  await remove({ path: 'public/dir/', options: opts });
  const r = await list({ path: 'public/dir/', options: { ...opts, listAll: true } });
  assert.equal(r.items.length, 0);
});
await step('private/{me} and protected/{me} writes', async () => {
  await uploadData({ path: ({ identityId }) => `private/${identityId}/p.txt`, data: 'mine', options: opts }).result;
  await uploadData({ path: ({ identityId }) => `protected/${identityId}/p.txt`, data: 'shared', options: opts }).result;
});
as('AUTH_' + U2, U2);
await refused('second user: read private of another', () => downloadData({ path: `private/${U1}/p.txt`, options: opts }).result);
await refused('second user: list private of another', () => list({ path: `private/${U1}/`, options: opts }));
await step('second user: read protected of another', async () => {
  const r = await downloadData({ path: `protected/${U1}/p.txt`, options: opts }).result;
  assert.equal(await r.body.text(), 'shared');
});
await refused('second user: write protected of another', () => uploadData({ path: `protected/${U1}/x.txt`, data: 'x', options: opts }).result);
as('GUEST_' + G, G);
await step('guest: read public', async () => {
  const r = await downloadData({ path: 'public/hello.txt', options: opts }).result;
  assert.equal(await r.body.text(), 'hello world');
});
await refused('guest: write public', () => uploadData({ path: 'public/g.txt', data: 'x', options: opts }).result);
await refused('guest: read protected', () => downloadData({ path: `protected/${U1}/p.txt`, options: opts }).result);
as('GROUP_Admins_us-east-1:a1', 'us-east-1:a1');
await step('group: write admin/', async () => { await uploadData({ path: 'admin/r.txt', data: 'r', options: opts }).result; });
as('AUTH_' + U1, U1);
await refused('authenticated: read admin/', () => downloadData({ path: 'admin/r.txt', options: opts }).result);

proxy.close();
for (const r of results) console.log(r.join(' | '));
const failed = results.filter((r) => r[0] !== 'ok').length;
console.log(`${results.length - failed} ok, ${failed} failed`);
process.exit(failed ? 1 : 0);
