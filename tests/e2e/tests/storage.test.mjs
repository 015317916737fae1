// The unmodified aws-amplify 6.22.1 storage API against the sandbox's S3 API, on a copy of
// examples/notes (defineStorage `notesFiles`: public/ readable by guests and writable by
// signed-in users, protected/{entity_id}/ readable by signed-in users and owned by the
// identity, private/{entity_id}/ owned by the identity), with identity-pool credentials from
// the sandbox's Cognito, each call given `options.customEndpoint` (client-protocol §A.4);
// then @aws-sdk/client-s3 with the sandbox admin key; then a group path on
// tests/e2e/projects/storage-groups.
//
// This file runs the client's Node runtime (fetch transfer handler, no progress events);
// storage-browser.test.mjs runs its browser runtime (XMLHttpRequest) for progress events.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';

import {
  AdminAddUserToGroupCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Amplify } from 'aws-amplify';
import { confirmSignUp, fetchAuthSession, signIn, signOut, signUp } from 'aws-amplify/auth';
import { copy, downloadData, getProperties, getUrl, list, remove, uploadData } from 'aws-amplify/storage';

import { amplifyConfig, copyProject, withCode } from '../lib/auth.mjs';
import { copyExample } from '../lib/fixtures.mjs';
import { startSandbox } from '../lib/sandbox.mjs';
import { adminCredentials, pattern, provideFileReader, rejectsWith, storageOptions } from '../lib/storage.mjs';

provideFileReader();

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!storage';
const md5 = (data) => `"${crypto.createHash('md5').update(data).digest('hex')}"`;

/** Signs up and confirms `email` with the code from the outbox. */
async function register(origin, email) {
  const { code } = await withCode(origin, email, () =>
    signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } }),
  );
  assert.equal((await confirmSignUp({ username: email, confirmationCode: code })).isSignUpComplete, true);
}

/** Signs `email` in (SRP) and returns its identity id. */
async function signedIn(email) {
  await signOut();
  const { isSignedIn } = await signIn({ username: email, password: PASSWORD });
  assert.equal(isSignedIn, true);
  const session = await fetchAuthSession();
  assert.ok(session.credentials?.sessionToken, 'identity-pool credentials for the user');
  return session.identityId;
}

/** Signs out; the client then uses guest credentials. Returns the guest identity id. */
async function guest() {
  await signOut();
  const session = await fetchAuthSession();
  assert.ok(session.credentials?.sessionToken, 'guest credentials');
  assert.equal(session.tokens, undefined);
  return session.identityId;
}

const text = async (download) => (await download.result).body.text();

test('storage: the aws-amplify storage API against the sandbox S3 API', { timeout: 240_000 }, async (t) => {
  const project = copyExample('notes');
  const identifier = `e2e-storage-${process.pid}`;
  let sandbox;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier });
    const { outputs, origin } = sandbox;
    const opts = storageOptions(outputs);
    Amplify.configure(amplifyConfig(outputs));
    const bucket = outputs.storage.bucket_name;

    await t.test('the outputs and configuration name the served bucket', async () => {
      assert.equal(Amplify.getConfig().Storage.S3.bucket, bucket);
      assert.match(bucket, /^notesfiles\.[0-9a-f]{10}\.stratus$/);
      assert.equal(opts.customEndpoint, new URL(origin).host);
      const health = await (await fetch(`${origin}/_stratus/health`)).json();
      assert.ok(health.services.includes('storage'), JSON.stringify(health));
    });

    const ada = `ada-${RUN}@example.com`;
    const bob = `bob-${RUN}@example.com`;
    await register(origin, ada);
    await register(origin, bob);
    const adaId = await signedIn(ada);
    assert.match(adaId, /^us-east-1:/);

    const big = pattern(6 * 1024 * 1024 + 10);

    await t.test('uploadData: a small object with content type and metadata', async () => {
      const r = await uploadData({
        path: 'public/hello.txt',
        data: 'hello world',
        options: { ...opts, contentType: 'text/plain', metadata: { colour: 'blue' } },
      }).result;
      assert.equal(r.path, 'public/hello.txt');
      assert.equal(r.eTag, md5('hello world'));
      assert.equal(r.size, 11);
    });

    await t.test('uploadData: 6 MiB goes multipart (two parts)', async () => {
      const r = await uploadData({ path: 'public/big.bin', data: big, options: { ...opts, contentType: 'application/x-test' } }).result;
      assert.match(r.eTag, /^"[0-9a-f]{32}-2"$/);
      // S3's multipart ETag: md5 of the binary part MD5s, then "-<parts>".
      const part1 = crypto.createHash('md5').update(big.subarray(0, 5 * 1024 * 1024)).digest();
      const part2 = crypto.createHash('md5').update(big.subarray(5 * 1024 * 1024)).digest();
      assert.equal(r.eTag, `"${crypto.createHash('md5').update(Buffer.concat([part1, part2])).digest('hex')}-2"`);
    });

    await t.test('uploadData: CRC-32 checksums (single request and multipart)', async () => {
      await uploadData({ path: 'public/crc.txt', data: 'check me', options: { ...opts, checksumAlgorithm: 'crc-32' } }).result;
      const r = await uploadData({ path: 'public/crc.bin', data: big, options: { ...opts, checksumAlgorithm: 'crc-32' } }).result;
      assert.match(r.eTag, /-2"$/);
      assert.equal(await text(downloadData({ path: 'public/crc.txt', options: opts })), 'check me');
    });

    await t.test('downloadData: whole object with its headers', async () => {
      const r = await downloadData({ path: 'public/hello.txt', options: opts }).result;
      assert.equal(await r.body.text(), 'hello world');
      assert.equal(r.contentType, 'text/plain');
      assert.equal(r.eTag, md5('hello world'));
      assert.equal(r.size, 11);
      assert.deepEqual(r.metadata, { colour: 'blue' });
      assert.ok(r.lastModified instanceof Date);
    });

    await t.test('downloadData: a byte range of the multipart object', async () => {
      const r = await downloadData({ path: 'public/big.bin', options: { ...opts, bytesRange: { start: 5 * 1024 * 1024 - 2, end: 5 * 1024 * 1024 + 2 } } }).result;
      const bytes = new Uint8Array(await (await r.body.blob()).arrayBuffer());
      assert.deepEqual([...bytes], [...big.subarray(5 * 1024 * 1024 - 2, 5 * 1024 * 1024 + 3)]);
    });

    await t.test('getProperties', async () => {
      const r = await getProperties({ path: 'public/big.bin', options: opts });
      assert.equal(r.size, big.length);
      assert.equal(r.contentType, 'application/x-test');
      assert.match(r.eTag, /-2"$/);
      await rejectsWith(() => getProperties({ path: 'public/missing.txt', options: opts }), 'NotFound', 'getProperties of a missing key');
    });

    await t.test('list: paged to the end, and all at once', async () => {
      const seen = [];
      let nextToken;
      let pages = 0;
      do {
        const r = await list({ path: 'public/', options: { ...opts, pageSize: 2, nextToken } });
        assert.ok(r.items.length <= 2);
        seen.push(...r.items.map((i) => i.path));
        nextToken = r.nextToken;
        pages += 1;
      } while (nextToken);
      const expected = ['public/big.bin', 'public/crc.bin', 'public/crc.txt', 'public/hello.txt'];
      assert.deepEqual(seen, expected);
      assert.equal(pages, 2);
      const all = await list({ path: 'public/', options: { ...opts, listAll: true } });
      assert.deepEqual(all.items.map((i) => i.path), expected);
      const hello = all.items.find((i) => i.path === 'public/hello.txt');
      assert.equal(hello.size, 11);
      assert.equal(hello.eTag, md5('hello world'));
      assert.ok(hello.lastModified instanceof Date);
    });

    await t.test('list: subpathStrategy include (default) and exclude', async () => {
      await uploadData({ path: 'public/dir/x.txt', data: 'x', options: opts }).result;
      await uploadData({ path: 'public/dir/sub/y.txt', data: 'y', options: opts }).result;
      const included = await list({ path: 'public/', options: { ...opts, listAll: true } });
      assert.ok(included.items.some((i) => i.path === 'public/dir/sub/y.txt'));
      assert.deepEqual(included.excludedSubpaths ?? [], []);
      const excluded = await list({ path: 'public/', options: { ...opts, listAll: true, subpathStrategy: { strategy: 'exclude' } } });
      assert.deepEqual(excluded.items.map((i) => i.path), ['public/big.bin', 'public/crc.bin', 'public/crc.txt', 'public/hello.txt']);
      assert.deepEqual(excluded.excludedSubpaths, ['public/dir/']);
    });

    await t.test('getUrl: a presigned GET, fetched', async () => {
      const { url, expiresAt } = await getUrl({ path: 'public/hello.txt', options: { ...opts, validateObjectExistence: true, expiresIn: 300 } });
      assert.equal(url.host, opts.customEndpoint);
      assert.ok(url.searchParams.get('X-Amz-Signature'));
      assert.ok(expiresAt.getTime() > Date.now());
      const r = await fetch(url);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), 'hello world');
      // A tampered URL is refused.
      const tampered = new URL(url);
      tampered.pathname = tampered.pathname.replace('hello.txt', 'crc.txt');
      assert.equal((await fetch(tampered)).status, 403);
      await rejectsWith(
        () => getUrl({ path: 'public/missing.txt', options: { ...opts, validateObjectExistence: true } }),
        'NotFound',
        'getUrl of a missing key with validateObjectExistence',
      );
    });

    await t.test('getUrl: a presigned PUT, then fetched with the content type signed', async () => {
      const { url } = await getUrl({ path: 'public/presigned.txt', options: { ...opts, method: 'PUT', contentType: 'text/plain' } });
      const put = await fetch(url, { method: 'PUT', body: 'via url', headers: { 'content-type': 'text/plain' } });
      assert.equal(put.status, 200, await put.text());
      const r = await downloadData({ path: 'public/presigned.txt', options: opts }).result;
      assert.equal(await r.body.text(), 'via url');
      assert.equal(r.contentType, 'text/plain');
    });

    await t.test('copy, then remove a file and a folder', async () => {
      const r = await copy({ source: { path: 'public/hello.txt' }, destination: { path: `protected/${adaId}/copy.txt` }, options: opts });
      assert.equal(r.path, `protected/${adaId}/copy.txt`);
      assert.equal(await text(downloadData({ path: `protected/${adaId}/copy.txt`, options: opts })), 'hello world');
      await remove({ path: 'public/presigned.txt', options: opts });
      await rejectsWith(() => getProperties({ path: 'public/presigned.txt', options: opts }), 'NotFound', 'removed file');
      await remove({ path: 'public/dir/', options: opts });
      const left = await list({ path: 'public/dir/', options: { ...opts, listAll: true } });
      assert.deepEqual(left.items, []);
    });

    await t.test('private/{identity} and protected/{identity}: the owner writes and lists', async () => {
      await uploadData({ path: ({ identityId }) => `private/${identityId}/diary.txt`, data: 'mine', options: opts }).result;
      await uploadData({ path: ({ identityId }) => `protected/${identityId}/shared.txt`, data: 'shared', options: opts }).result;
      const mine = await list({ path: ({ identityId }) => `private/${identityId}/`, options: { ...opts, listAll: true } });
      assert.deepEqual(mine.items.map((i) => i.path), [`private/${adaId}/diary.txt`]);
    });

    await t.test('a second user: protected of another readable, private not, neither writable', async () => {
      const bobId = await signedIn(bob);
      assert.notEqual(bobId, adaId);
      assert.equal(await text(downloadData({ path: `protected/${adaId}/shared.txt`, options: opts })), 'shared');
      await rejectsWith(() => downloadData({ path: `private/${adaId}/diary.txt`, options: opts }).result, 'AccessDenied', 'read private of another');
      await rejectsWith(() => list({ path: `private/${adaId}/`, options: opts }), 'AccessDenied', 'list private of another');
      // A refused HEAD has no body: the client names the error by its status, as with S3.
      await rejectsWith(() => getProperties({ path: `private/${adaId}/diary.txt`, options: opts }), '403', 'head private of another');
      await rejectsWith(
        () => uploadData({ path: `protected/${adaId}/x.txt`, data: 'x', options: opts }).result,
        'AccessDenied',
        'write protected of another',
      );
      await rejectsWith(() => remove({ path: `protected/${adaId}/shared.txt`, options: opts }), 'AccessDenied', 'remove protected of another');
      await rejectsWith(
        () => copy({ source: { path: `private/${adaId}/diary.txt` }, destination: { path: `private/${bobId}/stolen.txt` }, options: opts }),
        'AccessDenied',
        'copy out of private of another',
      );
      // Their own private space works.
      await uploadData({ path: `private/${bobId}/b.txt`, data: 'bob', options: opts }).result;
      assert.equal(await text(downloadData({ path: `private/${bobId}/b.txt`, options: opts })), 'bob');
    });

    await t.test('a guest: reads public/, nothing else', async () => {
      const guestId = await guest();
      assert.ok(guestId);
      assert.equal(await text(downloadData({ path: 'public/hello.txt', options: opts })), 'hello world');
      const listed = await list({ path: 'public/', options: { ...opts, listAll: true } });
      assert.ok(listed.items.some((i) => i.path === 'public/hello.txt'));
      await rejectsWith(() => uploadData({ path: 'public/guest.txt', data: 'x', options: opts }).result, 'AccessDenied', 'guest write public');
      await rejectsWith(() => remove({ path: 'public/hello.txt', options: opts }), 'AccessDenied', 'guest remove public');
      await rejectsWith(() => downloadData({ path: `protected/${adaId}/shared.txt`, options: opts }).result, 'AccessDenied', 'guest read protected');
      await rejectsWith(() => uploadData({ path: `private/${guestId}/g.txt`, data: 'x', options: opts }).result, 'AccessDenied', 'guest write own private');
    });

    await t.test('@aws-sdk/client-s3 with the sandbox admin key: put, get, list, delete', async () => {
      const admin = adminCredentials(project.dir);
      const s3 = new S3Client({
        endpoint: origin,
        forcePathStyle: true,
        region: outputs.storage.aws_region,
        credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
      });
      try {
        const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'admin/report.txt', Body: 'by admin', ContentType: 'text/plain', Metadata: { by: 'sdk' } }));
        assert.equal(put.ETag, md5('by admin'));
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'admin/report.txt' }));
        assert.equal(await got.Body.transformToString(), 'by admin');
        assert.deepEqual(got.Metadata, { by: 'sdk' });
        // The admin key reads what only the owner may.
        const diary = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `private/${adaId}/diary.txt` }));
        assert.equal(await diary.Body.transformToString(), 'mine');
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'public/big.bin' }));
        assert.equal(head.ContentLength, big.length);
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'public/', MaxKeys: 2 }));
        assert.equal(listed.KeyCount, 2);
        assert.equal(listed.IsTruncated, true);
        const rest = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'public/', ContinuationToken: listed.NextContinuationToken }));
        assert.deepEqual([...listed.Contents, ...rest.Contents].map((o) => o.Key), ['public/big.bin', 'public/crc.bin', 'public/crc.txt', 'public/hello.txt']);
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'admin/report.txt' }));
        await assert.rejects(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'admin/report.txt' })), (e) => e.name === 'NoSuchKey');
        // A wrong secret is refused.
        const forged = new S3Client({
          endpoint: origin,
          forcePathStyle: true,
          region: outputs.storage.aws_region,
          credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: 'x'.repeat(40) },
        });
        await assert.rejects(forged.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/hello.txt' })), (e) => e.name === 'SignatureDoesNotMatch');
        forged.destroy();
      } finally {
        s3.destroy();
      }
    });
  } finally {
    await signOut().catch(() => {});
    await sandbox?.stop();
    project.cleanup();
  }
});

test('storage: a group path through a group role', { timeout: 120_000 }, async (t) => {
  const project = await copyProject('storage-groups');
  const identifier = `e2e-storage-groups-${process.pid}`;
  let sandbox;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier });
    const { outputs, origin } = sandbox;
    const opts = storageOptions(outputs);
    Amplify.configure(amplifyConfig(outputs));
    const editor = `editor-${RUN}@example.com`;
    const reader = `reader-${RUN}@example.com`;
    await register(origin, editor);
    await register(origin, reader);
    const admin = adminCredentials(project.dir);
    const cognito = new CognitoIdentityProviderClient({
      endpoint: outputs.custom.stratus.user_pool_endpoint,
      region: outputs.auth.aws_region,
      credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
    });
    try {
      await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: outputs.auth.user_pool_id, Username: editor, GroupName: 'Editors' }));
    } finally {
      cognito.destroy();
    }

    await t.test('a member of Editors writes, reads and lists editors/', async () => {
      await signedIn(editor);
      const session = await fetchAuthSession();
      assert.deepEqual(session.tokens.accessToken.payload['cognito:groups'], ['Editors']);
      await uploadData({ path: 'editors/plan.txt', data: 'plan', options: opts }).result;
      assert.equal(await text(downloadData({ path: 'editors/plan.txt', options: opts })), 'plan');
      const listed = await list({ path: 'editors/', options: { ...opts, listAll: true } });
      assert.deepEqual(listed.items.map((i) => i.path), ['editors/plan.txt']);
    });

    await t.test('a signed-in user outside the group is refused', async () => {
      await signedIn(reader);
      await rejectsWith(() => downloadData({ path: 'editors/plan.txt', options: opts }).result, 'AccessDenied', 'read editors/');
      await rejectsWith(() => uploadData({ path: 'editors/x.txt', data: 'x', options: opts }).result, 'AccessDenied', 'write editors/');
      // public/ is theirs to write.
      await uploadData({ path: 'public/r.txt', data: 'r', options: opts }).result;
    });

    await t.test('a guest is refused', async () => {
      await guest();
      await rejectsWith(() => list({ path: 'editors/', options: opts }), 'AccessDenied', 'guest list editors/');
    });
  } finally {
    await signOut().catch(() => {});
    await sandbox?.stop();
    project.cleanup();
  }
});
