// AppSync JavaScript resolvers (a.handler.custom) on tests/e2e/projects/data-custom-js through
// generateClient(): client.queries / client.mutations / client.subscriptions. Covered: a
// NONE-data-source echo; the Amplify docs' like counter (ddb.update + operations.increment on
// the Post table, concurrent calls all counted, a missing post refused by its condition); a
// TypeScript handler querying a secondary index with a filter; a put that records
// ctx.identity.username for a user-pool caller; util.error / util.unauthorized as GraphQL
// errors with AppSync's errorType, message and errorInfo; a custom subscription whose handler
// calls extensions.setSubscriptionFilter (beginsWith on the channel name); a saved handler
// takes effect without restarting the sandbox.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { getCurrentUser } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';

import { amplifyConfig, copyProject } from '../lib/auth.mjs';
import { listen, ok, provideWebSocket, register, signedIn, sleep, until } from '../lib/data.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

provideWebSocket();

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!customjs';

test('data (custom JS handlers): a.handler.custom through generateClient', { timeout: 180_000 }, async (t) => {
  const project = await copyProject('data-custom-js');
  let sandbox;
  const open = [];
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-data-custom-js-${process.pid}` });
    const { outputs, origin } = sandbox;
    Amplify.configure(amplifyConfig(outputs, { identityPool: false }));
    const client = generateClient();

    await t.test('a NONE data source: the request payload is the response handler\'s ctx.result', async () => {
      const r = ok(await client.queries.echo({ content: 'hello' }), 'echo');
      assert.equal(r.content, 'Echoing content: hello');
      assert.equal(typeof r.executionDuration, 'number');
      assert.ok(r.executionDuration >= 0);
    });

    let post;
    await t.test('likePost: ddb.update with operations.increment on the Post table', async () => {
      post = ok(await client.models.Post.create({ title: 'first', author: 'ann' }), 'create post');
      assert.equal(post.likes, null);
      const liked = ok(await client.mutations.likePost({ postId: post.id }), 'likePost');
      assert.equal(liked.id, post.id);
      assert.equal(liked.title, 'first');
      assert.equal(liked.likes, 1, 'ADD starts from a missing attribute as 0');
      // Concurrent increments are all counted.
      await Promise.all(Array.from({ length: 8 }, () => client.mutations.likePost({ postId: post.id })));
      const read = ok(await client.models.Post.get({ id: post.id }), 'get post');
      assert.equal(read.likes, 9);
    });

    await t.test('a failed condition is DynamoDB:ConditionalCheckFailedException', async () => {
      const r = await client.mutations.likePost({ postId: 'no-such-post' });
      assert.equal(r.data, null);
      assert.equal(r.errors?.[0]?.errorType, 'DynamoDB:ConditionalCheckFailedException', JSON.stringify(r.errors));
      assert.match(r.errors[0].message, /^The conditional request failed/);
      assert.equal(ok(await client.models.Post.get({ id: 'no-such-post' }), 'get'), null, 'nothing was created');
    });

    await t.test('a TypeScript handler queries a secondary index with a filter', async () => {
      ok(await client.models.Post.create({ title: 'second', author: 'ann', likes: 3 }), 'create');
      ok(await client.models.Post.create({ title: 'other', author: 'bob', likes: 50 }), 'create');
      const all = ok(await client.queries.postsByAuthor({ author: 'ann' }), 'postsByAuthor');
      assert.deepEqual(all.map((p) => p.title), ['first', 'second'], 'sorted by the index sort key');
      const popular = ok(await client.queries.postsByAuthor({ author: 'ann', minLikes: 5 }), 'postsByAuthor minLikes');
      assert.deepEqual(popular.map((p) => [p.title, p.likes]), [['first', 9]]);
    });

    await t.test('ctx.identity of a user-pool caller; the field\'s auth is checked first', async () => {
      const email = `js-${RUN}@example.com`;
      await register(origin, email, PASSWORD);
      await signedIn(email, PASSWORD);
      const { username } = await getCurrentUser();
      const signed = ok(await client.mutations.signPost({ title: 'signed' }, { authMode: 'userPool' }), 'signPost');
      assert.equal(signed.author, username);
      assert.equal(signed.likes, 0);
      const stored = ok(await client.models.Post.get({ id: signed.id }), 'get signed');
      assert.equal(stored.author, username);
      // signPost is @aws_cognito_user_pools only: the API key is refused before the handler runs.
      const refused = await client.mutations.signPost({ title: 'anonymous' });
      assert.equal(refused.errors?.[0]?.errorType, 'Unauthorized', JSON.stringify(refused.errors));
    });

    await t.test('util.error and util.unauthorized are GraphQL errors in AppSync\'s shape', async () => {
      const r = await client.queries.failing({ reason: 'not today' });
      assert.equal(r.data, null);
      assert.equal(r.errors.length, 1);
      const [e] = r.errors;
      assert.equal(e.errorType, 'MyCustomError');
      assert.equal(e.message, 'not today');
      assert.deepEqual(e.errorInfo, { hint: 'from fail.js' });
      assert.deepEqual(e.path, ['failing']);
      const u = await client.queries.failing({ reason: 'unauthorized' });
      assert.equal(u.errors[0].errorType, 'Unauthorized');
      assert.equal(u.errors[0].message, 'Not Authorized to access failing on type Query');
    });

    await t.test('a subscription handler\'s setSubscriptionFilter selects the events', async () => {
      const sports = listen(client.subscriptions.receive({ namePrefix: 'sport' }));
      const news = listen(client.subscriptions.receive({ namePrefix: 'news' }));
      open.push(sports, news);
      await sleep(1500);
      for (const [channelName, content] of [['sports-1', 'goal'], ['news-1', 'headline'], ['weather', 'rain'], ['sports-2', 'match']]) {
        const m = ok(await client.mutations.publish({ channelName, content }), `publish ${channelName}`);
        assert.equal(m.channelName, channelName);
      }
      await until(() => sports.events.length >= 2 && news.events.length >= 1, 'the filtered events');
      await sleep(500);
      assert.deepEqual(sports.errors, []);
      assert.deepEqual(sports.events.map((m) => m.content), ['goal', 'match']);
      assert.deepEqual(news.events.map((m) => m.content), ['headline']);
    });

    await t.test('a saved handler is used without a restart', async () => {
      const file = path.join(project.dir, 'amplify', 'data', 'echo.js');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Echoing content: ', 'Echo v2: '));
      const deadline = Date.now() + 20_000;
      let content;
      while (Date.now() < deadline) {
        content = (await client.queries.echo({ content: 'again' })).data?.content;
        if (content === 'Echo v2: again') break;
        await sleep(200);
      }
      assert.equal(content, 'Echo v2: again');
    });
  } catch (e) {
    if (sandbox) console.error(sandbox.logs());
    throw e;
  } finally {
    for (const s of open) s.subscription.unsubscribe();
    await sandbox?.stop();
    project.cleanup();
  }
});
