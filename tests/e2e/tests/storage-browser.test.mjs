// aws-amplify 6.22.1 storage with its browser runtime (the XMLHttpRequest transfer handler a
// bundler selects; lib/browser-runtime.mjs) against the sandbox's S3 API on a copy of
// examples/notes: upload progress for a single-request and a multipart upload, download
// progress, cancelling an upload, and the CORS answers a browser needs (preflight, exposed
// headers).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { useBrowserStorageRuntime } from '../lib/browser-runtime.mjs';
import { amplifyConfig, withCode } from '../lib/auth.mjs';
import { copyExample } from '../lib/fixtures.mjs';
import { startSandbox } from '../lib/sandbox.mjs';
import { pattern, rejectsWith, storageOptions } from '../lib/storage.mjs';

// Before any aws-amplify module is loaded: the storage package must resolve its browser
// transfer handler.
useBrowserStorageRuntime();
const { Amplify } = await import('aws-amplify');
const { confirmSignUp, signIn, signOut, signUp } = await import('aws-amplify/auth');
const { downloadData, getProperties, isCancelError, uploadData } = await import('aws-amplify/storage');

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!browser';

/** Progress events are non-decreasing and end at `total`. */
function assertProgress(events, total, what) {
  assert.ok(events.length > 0, `${what}: no progress event`);
  for (let i = 1; i < events.length; i += 1) {
    assert.ok(events[i].transferredBytes >= events[i - 1].transferredBytes, `${what}: progress went back: ${JSON.stringify(events)}`);
  }
  assert.equal(events.at(-1).transferredBytes, total, `${what}: last progress event`);
}

test('storage (browser runtime): progress events, cancel and CORS', { timeout: 180_000 }, async (t) => {
  const project = copyExample('notes');
  let sandbox;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-storage-browser-${process.pid}` });
    const { outputs, origin } = sandbox;
    const opts = storageOptions(outputs);
    Amplify.configure(amplifyConfig(outputs));
    const bucket = outputs.storage.bucket_name;
    const email = `cara-${RUN}@example.com`;
    const { code } = await withCode(origin, email, () =>
      signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } }),
    );
    await confirmSignUp({ username: email, confirmationCode: code });
    assert.equal((await signIn({ username: email, password: PASSWORD })).isSignedIn, true);

    await t.test('the XMLHttpRequest transfer handler is the one in use', async () => {
      let opened = 0;
      const open = globalThis.XMLHttpRequest.prototype.open;
      globalThis.XMLHttpRequest.prototype.open = function (...args) {
        opened += 1;
        return open.apply(this, args);
      };
      try {
        await uploadData({ path: 'public/xhr.txt', data: 'via xhr', options: opts }).result;
      } finally {
        globalThis.XMLHttpRequest.prototype.open = open;
      }
      assert.equal(opened, 1);
    });

    await t.test('uploadData: progress of a single-request upload', async () => {
      const data = pattern(1024 * 1024 + 7);
      const events = [];
      const r = await uploadData({ path: 'public/one.bin', data, options: { ...opts, onProgress: (e) => events.push(e) } }).result;
      assert.equal(r.size, data.length);
      assertProgress(events, data.length, 'single upload');
      assert.equal(events.at(-1).totalBytes, data.length);
      assert.ok(events.length >= 4, `one event per 256 KiB written: ${events.length}`);
    });

    await t.test('uploadData: progress of a multipart upload (> 5 MiB)', async () => {
      const data = pattern(6 * 1024 * 1024 + 10);
      const events = [];
      const r = await uploadData({ path: 'public/multi.bin', data, options: { ...opts, onProgress: (e) => events.push(e) } }).result;
      assert.match(r.eTag, /-2"$/);
      assertProgress(events, data.length, 'multipart upload');
      assert.ok(events.every((e) => e.totalBytes === data.length), 'totalBytes is the whole object');
      // Parts report while they are sent: there are events between the start and the end.
      assert.ok(events.some((e) => e.transferredBytes > 0 && e.transferredBytes < data.length), JSON.stringify(events.slice(0, 3)));
      assert.equal((await getProperties({ path: 'public/multi.bin', options: opts })).size, data.length);
    });

    await t.test('downloadData: progress and body; a refusal through XHR', async () => {
      const events = [];
      const r = await downloadData({ path: 'public/multi.bin', options: { ...opts, onProgress: (e) => events.push(e) } }).result;
      const bytes = new Uint8Array(await (await r.body.blob()).arrayBuffer());
      assert.equal(bytes.length, 6 * 1024 * 1024 + 10);
      assert.deepEqual([...bytes.subarray(250, 253)], [250, 0, 1]);
      assertProgress(events, bytes.length, 'download');
      assert.equal(events.at(-1).totalBytes, bytes.length);
      // The XML error body is read from the blob response (FileReader) and named by its Code.
      await rejectsWith(() => downloadData({ path: 'private/someone-else/x.txt', options: opts }).result, 'AccessDenied', 'download refused');
    });

    await t.test('uploadData: cancel', async () => {
      const task = uploadData({ path: 'public/cancelled.bin', data: pattern(6 * 1024 * 1024), options: opts });
      task.cancel();
      let error;
      try {
        await task.result;
      } catch (e) {
        error = e;
      }
      assert.ok(error && isCancelError(error), `cancelled: ${error}`);
      await rejectsWith(() => getProperties({ path: 'public/cancelled.bin', options: opts }), 'NotFound', 'nothing stored');
    });

    await t.test('CORS: a preflight from an app origin and the headers exposed', async () => {
      const url = `${origin}/${bucket}/public/xhr.txt`;
      const preflight = await fetch(url, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'authorization,x-amz-date,x-amz-content-sha256,x-amz-meta-colour,content-type',
        },
      });
      assert.ok(preflight.ok, `preflight: ${preflight.status}`);
      assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
      assert.match(preflight.headers.get('access-control-allow-methods'), /PUT/);
      assert.match(preflight.headers.get('access-control-allow-headers'), /x-amz-meta-colour/);
      const r = await downloadData({ path: 'public/xhr.txt', options: opts }).result;
      assert.equal(await r.body.text(), 'via xhr');
      // An actual (refused, unsigned) response still carries the CORS headers.
      const plain = await fetch(url, { headers: { origin: 'http://localhost:5173' } });
      assert.equal(plain.status, 403);
      assert.equal(plain.headers.get('access-control-allow-origin'), '*');
      assert.equal(plain.headers.get('access-control-expose-headers'), '*');
    });
  } finally {
    await signOut().catch(() => {});
    await sandbox?.stop();
    project.cleanup();
  }
});
