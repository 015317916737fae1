// generateClient() on a copy of the b-auth-owner fixture: the identityPool (SigV4) mode for a
// guest (allow.guest().to(['get', 'list'])), field-level rules seen by another signed-in user
// (a hidden owner-only field answers null with an Unauthorized error, a field readable by
// every signed-in user is served), and multi-owner lists by `sub` (ownersDefinedIn).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { signOut } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';

import { amplifyConfig } from '../lib/auth.mjs';
import { errorTypes, ok, register, signedIn } from '../lib/data.mjs';
import { copyFixture } from '../lib/fixtures.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!modes';

test('data (b-auth-owner): identityPool guests, field rules and multi-owner lists', { timeout: 180_000 }, async (t) => {
  const project = copyFixture('b-auth-owner');
  let sandbox;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-data-modes-${process.pid}` });
    const { outputs, origin } = sandbox;
    Amplify.configure(amplifyConfig(outputs));
    const client = generateClient();
    const ada = `ada-${RUN}@example.com`;
    const bob = `bob-${RUN}@example.com`;
    await register(origin, ada, PASSWORD);
    await register(origin, bob, PASSWORD);
    const adaSub = (await signedIn(ada, PASSWORD)).accessToken.payload.sub;

    let post;
    await t.test('the owner creates a post with owner-only and shared fields', async () => {
      post = ok(await client.models.Post.create({ title: 'Hello', content: 'body', draftNotes: 'secret', likes: 3 }), 'create post');
      assert.equal(post.draftNotes, 'secret');
      assert.ok(post.owner.startsWith(adaSub), post.owner);
      ok(await client.models.Diary.create({ title: 'dear diary' }), 'create diary');
    });

    await t.test('a guest with identityPool credentials gets and lists posts, nothing more', async () => {
      await signOut();
      const listed = ok(await client.models.Post.list({ authMode: 'identityPool', selectionSet: ['id', 'title'] }), 'guest list');
      assert.deepEqual(listed.map((p) => p.title), ['Hello']);
      const got = ok(await client.models.Post.get({ id: post.id }, { authMode: 'identityPool', selectionSet: ['id', 'title', 'content'] }), 'guest get');
      assert.equal(got.content, 'body');
      assert.deepEqual(await errorTypes(() => client.models.Post.create({ title: 'guest post' }, { authMode: 'identityPool' })), ['Unauthorized']);
      assert.deepEqual(await errorTypes(() => client.models.Diary.list({ authMode: 'identityPool' })), ['Unauthorized']);
    });

    await t.test('another signed-in user: shared fields served, owner-only ones hidden, no writes', async () => {
      const bobSub = (await signedIn(bob, PASSWORD)).accessToken.payload.sub;
      const shared = ok(await client.models.Post.get({ id: post.id }, { selectionSet: ['id', 'title', 'likes'] }), 'get shared fields');
      assert.deepEqual([shared.title, shared.likes], ['Hello', 3]);
      const whole = await client.models.Post.get({ id: post.id });
      assert.ok(whole.errors?.length > 0, 'the owner-only field is refused');
      assert.ok(whole.errors.every((e) => e.errorType === 'Unauthorized'), JSON.stringify(whole.errors));
      assert.ok(whole.errors.some((e) => e.path?.includes('draftNotes')), JSON.stringify(whole.errors));
      assert.equal(whole.data?.draftNotes ?? null, null);
      assert.ok((await errorTypes(() => client.models.Post.update({ id: post.id, title: 'mine' }))).length > 0, 'update refused');
      assert.deepEqual(ok(await client.models.Diary.list(), 'list diaries'), []);

      // Multi-owner by sub: Bob makes a list that Ada may edit too.
      const list = ok(await client.models.SharedList.create({ title: 'groceries', editors: [bobSub, adaSub] }), 'create shared list');
      await signedIn(ada, PASSWORD);
      const edited = ok(await client.models.SharedList.update({ id: list.id, title: 'groceries!' }), 'co-owner update');
      assert.equal(edited.title, 'groceries!');
      const seen = ok(await client.models.SharedList.list(), 'co-owner list');
      assert.deepEqual(seen.map((l) => l.title), ['groceries!']);
    });
  } finally {
    await signOut().catch(() => {});
    await sandbox?.stop();
    project.cleanup();
  }
});
