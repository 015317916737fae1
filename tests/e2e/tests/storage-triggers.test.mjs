// defineStorage's onUpload / onDelete triggers with the unmodified aws-amplify client, on
// tests/e2e/projects/storage-triggers: uploadData / copy / remove through the sandbox's S3 API
// make the TypeScript trigger handlers (run on Node.js by the sandbox) receive the S3 event
// notification Lambda gets, asynchronously; each handler appends the event and its
// secret('TRIGGER_TAG') to <project>/trigger-events.jsonl, which this test reads. The secret is
// set with `stratus sandbox secret set` before the start and changed while the sandbox runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { copy, remove, uploadData } from 'aws-amplify/storage';

import { amplifyConfig, copyProject } from '../lib/auth.mjs';
import { until } from '../lib/data.mjs';
import { startSandbox, stratusBin } from '../lib/sandbox.mjs';
import { pattern, provideFileReader, storageOptions } from '../lib/storage.mjs';

provideFileReader();

/** `stratus sandbox secret <args>` for the project, with `input` on stdin. */
function secret(dir, identifier, args, input) {
  const r = spawnSync(stratusBin(), ['sandbox', 'secret', ...args, '--dir', dir, '--identifier', identifier], {
    input,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `stratus sandbox secret ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('storage triggers: onUpload / onDelete functions receive S3 events from aws-amplify uploads', { timeout: 240_000 }, async (t) => {
  const project = await copyProject('storage-triggers');
  const identifier = `e2e-triggers-${process.pid}`;
  const log = path.join(project.dir, 'trigger-events.jsonl');
  const records = () =>
    fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  /** The first record of `fn` whose object key is `key` (S3's encoding), waiting for it. */
  const recordFor = async (fn, key) => {
    const find = () => records().find((r) => r.fn === fn && r.event.Records[0].s3.object.key === key);
    await until(() => find() !== undefined, `${fn} to record ${key}`, 20_000);
    return find();
  };
  let sandbox;
  try {
    secret(project.dir, identifier, ['set', 'TRIGGER_TAG'], 'first\n');
    assert.match(secret(project.dir, identifier, ['list']), /^ - TRIGGER_TAG$/m);
    sandbox = await startSandbox({ dir: project.dir, identifier, timeoutMs: 60_000 });
    const { outputs } = sandbox;
    const opts = storageOptions(outputs);
    Amplify.configure(amplifyConfig(outputs));
    const bucket = outputs.storage.bucket_name;

    let putSequencer;
    await t.test('uploadData: onUpload gets ObjectCreated:Put with the S3 event notification', async () => {
      const before = Date.now();
      const r = await uploadData({ path: 'public/hello world.txt', data: 'hi there', options: opts }).result;
      const { fn, tag, event } = await recordFor('on-upload', 'public/hello+world.txt');
      assert.equal(fn, 'on-upload');
      assert.equal(tag, 'first', "secret('TRIGGER_TAG') as set with stratus sandbox secret set");
      assert.equal(event.Records.length, 1);
      const record = event.Records[0];
      assert.equal(record.eventVersion, '2.6');
      assert.equal(record.eventSource, 'aws:s3');
      assert.equal(record.awsRegion, outputs.storage.aws_region);
      assert.equal(record.eventName, 'ObjectCreated:Put');
      assert.match(record.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const at = Date.parse(record.eventTime);
      assert.ok(at >= before - 1000 && at <= Date.now(), record.eventTime);
      // Guest credentials from the identity pool made the request.
      assert.equal(record.userIdentity.principalId, 'AWS:AROAGUEST:CognitoIdentityCredentials');
      assert.equal(record.requestParameters.sourceIPAddress, '127.0.0.1');
      assert.match(record.responseElements['x-amz-request-id'], /^[0-9A-F]{16}$/);
      assert.equal(record.s3.s3SchemaVersion, '1.0');
      assert.equal(typeof record.s3.configurationId, 'string');
      assert.equal(record.s3.bucket.name, bucket);
      assert.equal(record.s3.bucket.arn, `arn:aws:s3:::${bucket}`);
      assert.deepEqual(Object.keys(record.s3.object), ['key', 'size', 'eTag', 'sequencer']);
      assert.equal(record.s3.object.size, 8);
      assert.equal(`"${record.s3.object.eTag}"`, r.eTag, 'the eTag of the upload, unquoted');
      assert.match(record.s3.object.sequencer, /^[0-9A-F]+$/);
      putSequencer = record.s3.object.sequencer;
    });

    await t.test('the upload is answered before the trigger has finished', async () => {
      const holding = path.join(project.dir, 'holding');
      await uploadData({ path: 'public/hold.txt', data: 'wait for me', options: opts }).result;
      // The upload resolved; the handler runs (or is about to) and waits for the release file.
      await until(() => fs.existsSync(holding), 'the onUpload handler to start', 20_000);
      assert.equal(
        records().filter((r) => r.event.Records[0].s3.object.key === 'public/hold.txt').length,
        0,
        'the handler has not finished',
      );
      fs.writeFileSync(path.join(project.dir, 'release'), '');
      const { event } = await recordFor('on-upload', 'public/hold.txt');
      assert.equal(event.Records[0].eventName, 'ObjectCreated:Put');
    });

    await t.test('a 6 MiB uploadData (multipart) is ObjectCreated:CompleteMultipartUpload', async () => {
      const r = await uploadData({ path: 'public/big.bin', data: pattern(6 * 1024 * 1024), options: opts }).result;
      const { event } = await recordFor('on-upload', 'public/big.bin');
      const record = event.Records[0];
      assert.equal(record.eventName, 'ObjectCreated:CompleteMultipartUpload');
      assert.equal(record.s3.object.size, 6 * 1024 * 1024);
      assert.equal(`"${record.s3.object.eTag}"`, r.eTag);
      assert.match(record.s3.object.eTag, /^[0-9a-f]{32}-2$/);
    });

    await t.test('copy: ObjectCreated:Copy for the destination', async () => {
      await copy({ source: { path: 'public/hello world.txt' }, destination: { path: 'public/copies/(1).txt' }, options: opts });
      const { event } = await recordFor('on-upload', 'public/copies/%281%29.txt');
      assert.equal(event.Records[0].eventName, 'ObjectCreated:Copy');
      assert.equal(event.Records[0].s3.object.size, 8);
    });

    await t.test('remove: onDelete gets ObjectRemoved:Delete', async () => {
      await remove({ path: 'public/hello world.txt', options: opts });
      const { fn, tag, event } = await recordFor('on-delete', 'public/hello+world.txt');
      assert.equal(fn, 'on-delete');
      assert.equal(tag, 'first');
      const record = event.Records[0];
      assert.equal(record.eventName, 'ObjectRemoved:Delete');
      assert.deepEqual(Object.keys(record.s3.object), ['key', 'sequencer']);
      // Sequencers of one key order its events (compared right-padded, as S3 documents).
      const width = Math.max(putSequencer.length, record.s3.object.sequencer.length);
      assert.ok(record.s3.object.sequencer.padEnd(width, '0') > putSequencer.padEnd(width, '0'));
      // Uploads never reach onDelete, deletes never reach onUpload.
      const all = records();
      assert.ok(all.filter((r) => r.fn === 'on-delete').every((r) => r.event.Records[0].eventName.startsWith('ObjectRemoved:')));
      assert.ok(all.filter((r) => r.fn === 'on-upload').every((r) => r.event.Records[0].eventName.startsWith('ObjectCreated:')));
    });

    await t.test('a secret changed while the sandbox runs reaches the next invocations', async () => {
      const generation = () => [...sandbox.logs().matchAll(/generation (\d+)/g)].map((m) => Number(m[1])).at(-1);
      const served = generation();
      secret(project.dir, identifier, ['set', 'TRIGGER_TAG'], 'second\n');
      await until(() => generation() > served, 'the sandbox to reload after the secret changed', 30_000);
      assert.match(sandbox.logs(), /changed: .*secrets\.json/);
      await uploadData({ path: 'public/after.txt', data: 'x', options: opts }).result;
      const { tag } = await recordFor('on-upload', 'public/after.txt');
      assert.equal(tag, 'second');
    });

    // Each upload, copy and delete was delivered exactly once.
    const keys = records().map((r) => `${r.fn} ${r.event.Records[0].s3.object.key}`);
    assert.equal(new Set(keys).size, keys.length, keys.join('\n'));
  } catch (error) {
    if (sandbox) console.error(sandbox.logs());
    throw error;
  } finally {
    await sandbox?.stop();
    project.cleanup();
  }
});
