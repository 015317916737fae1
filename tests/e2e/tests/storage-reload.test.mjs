// Stored objects across a reload (a saved access rule takes effect at once, objects stay) and
// across a sandbox restart (the object store's index is rebuilt from disk), on a copy of
// tests/e2e/projects/storage-groups, through @aws-sdk/client-s3 with the sandbox admin key and
// aws-amplify's storage API as a signed-in user.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Amplify } from 'aws-amplify';
import { confirmSignUp, signIn, signOut, signUp } from 'aws-amplify/auth';
import { downloadData, uploadData } from 'aws-amplify/storage';

import { amplifyConfig, copyProject, withCode } from '../lib/auth.mjs';
import { startSandbox } from '../lib/sandbox.mjs';
import { adminCredentials, rejectsWith, storageOptions } from '../lib/storage.mjs';

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!reload';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function adminS3(projectDir, outputs, origin) {
  const admin = adminCredentials(projectDir);
  return new S3Client({
    endpoint: origin,
    forcePathStyle: true,
    region: outputs.storage.aws_region,
    credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
  });
}

/** Waits (bounded) until the sandbox serves a generation after `generation`. */
async function nextGeneration(origin, generation) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const health = await (await fetch(`${origin}/_stratus/health`)).json();
    if (health.generation > generation) return health;
    assert.ok(Date.now() < deadline, `no reload after generation ${generation}: ${JSON.stringify(health)}`);
    await sleep(100);
  }
}

test('storage: objects survive reloads and restarts; a saved rule applies at once', { timeout: 120_000 }, async (t) => {
  const project = await copyProject('storage-groups');
  const identifier = `e2e-storage-reload-${process.pid}`;
  let sandbox;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier });
    let { outputs, origin } = sandbox;
    const bucket = outputs.storage.bucket_name;
    const email = `dora-${RUN}@example.com`;
    Amplify.configure(amplifyConfig(outputs));
    const { code } = await withCode(origin, email, () =>
      signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } }),
    );
    await confirmSignUp({ username: email, confirmationCode: code });
    assert.equal((await signIn({ username: email, password: PASSWORD })).isSignedIn, true);
    const opts = storageOptions(outputs);

    await t.test('before: docs/ has no rule for signed-in users', async () => {
      const s3 = adminS3(project.dir, outputs, origin);
      try {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'docs/readme.txt', Body: 'read me' }));
      } finally {
        s3.destroy();
      }
      await rejectsWith(() => downloadData({ path: 'docs/readme.txt', options: opts }).result, 'AccessDenied', 'docs/ before the rule');
    });

    await t.test('a saved rule reloads the bucket: the object is still there and now readable', async () => {
      const { generation } = await (await fetch(`${origin}/_stratus/health`)).json();
      const file = path.join(project.dir, 'amplify', 'storage', 'resource.ts');
      const source = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, source.replace("'editors/*':", "'docs/*': [allow.authenticated.to(['read', 'write'])],\n    'editors/*':"));
      await nextGeneration(origin, generation);
      const r = await downloadData({ path: 'docs/readme.txt', options: opts }).result;
      assert.equal(await r.body.text(), 'read me');
      await uploadData({ path: 'docs/new.txt', data: 'after reload', options: opts }).result;
    });

    await t.test('a restarted sandbox serves the same objects', async () => {
      await signOut();
      await sandbox.stop();
      sandbox = await startSandbox({ dir: project.dir, identifier });
      ({ outputs, origin } = sandbox);
      assert.equal(outputs.storage.bucket_name, bucket, 'the bucket name is stable');
      const s3 = adminS3(project.dir, outputs, origin);
      try {
        for (const [key, body] of [['docs/readme.txt', 'read me'], ['docs/new.txt', 'after reload']]) {
          const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          assert.equal(await got.Body.transformToString(), body);
        }
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
