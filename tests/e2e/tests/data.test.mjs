// The unmodified aws-amplify 6.22.1 data client (`generateClient()`) against the sandbox's
// GraphQL API on a copy of the ex-todo-owner fixture (Todo: owner rules + public API-key
// read; default mode userPool): create/get/update/delete, list with a filter paged to the end,
// userPool vs apiKey, two signed-in users who cannot see each other's items, and an onCreate
// subscription over the realtime WebSocket that gets the owner's own event and not another
// user's, and keeps receiving across a reload that leaves the data definition unchanged.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { signOut } from 'aws-amplify/auth';
import { CONNECTION_STATE_CHANGE, ConnectionState, generateClient } from 'aws-amplify/data';
import { Hub } from 'aws-amplify/utils';

import { amplifyConfig, cognito } from '../lib/auth.mjs';
import { errorTypes, ok, provideWebSocket, register, signedIn, sleep } from '../lib/data.mjs';
import { copyFixture } from '../lib/fixtures.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

provideWebSocket();

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!data';

/** Every item of `list(options)`, following nextToken to the end; also the page count. */
async function listAll(list, options) {
  const items = [];
  let nextToken = null;
  let pages = 0;
  do {
    const r = await list({ ...options, nextToken });
    items.push(...ok(r, 'list page'));
    nextToken = r.nextToken;
    pages += 1;
    assert.ok(pages < 50, 'list does not end');
  } while (nextToken);
  return { items, pages };
}

test('data: generateClient() against the sandbox GraphQL API', { timeout: 180_000 }, async (t) => {
  const project = copyFixture('ex-todo-owner');
  let sandbox;
  let subscription;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-data-${process.pid}` });
    const { outputs, origin } = sandbox;
    Amplify.configure(amplifyConfig(outputs));
    const client = generateClient();
    const ada = `ada-${RUN}@example.com`;
    const bob = `bob-${RUN}@example.com`;
    await register(origin, ada, PASSWORD);
    await register(origin, bob, PASSWORD);
    const adaSub = (await signedIn(ada, PASSWORD)).accessToken.payload.sub;

    let first;
    await t.test('create, get, update as the owner (userPool)', async () => {
      first = ok(await client.models.Todo.create({ content: 'write tests', priority: 1 }), 'create');
      assert.match(first.id, /^[0-9a-f-]{36}$/);
      assert.equal(first.done, false, '@default(false)');
      assert.ok(first.owner.startsWith(adaSub), `owner ${first.owner}`);
      assert.ok(Date.parse(first.createdAt));
      const got = ok(await client.models.Todo.get({ id: first.id }), 'get');
      assert.equal(got.content, 'write tests');
      assert.equal(got.priority, 1);
      const updated = ok(await client.models.Todo.update({ id: first.id, done: true, content: 'tests written' }), 'update');
      assert.equal(updated.done, true);
      assert.equal(updated.content, 'tests written');
      assert.equal(updated.priority, 1, 'a partial update keeps other fields');
      assert.ok(updated.updatedAt >= first.updatedAt);
    });

    await t.test('list with a filter, paged to the end', async () => {
      for (let p = 2; p <= 7; p += 1) {
        ok(await client.models.Todo.create({ content: `item ${p}`, priority: p }), `create ${p}`);
      }
      const { items, pages } = await listAll(client.models.Todo.list, { filter: { priority: { ge: 4 } }, limit: 2 });
      assert.deepEqual(items.map((i) => i.priority).sort((a, b) => a - b), [4, 5, 6, 7]);
      assert.ok(pages >= 2, `limit 2 gives several pages (${pages})`);
      const all = await listAll(client.models.Todo.list, { limit: 3 });
      assert.equal(all.items.length, 7);
      const both = await listAll(client.models.Todo.list, { filter: { and: [{ done: { eq: false } }, { content: { beginsWith: 'item' } }] } });
      assert.equal(both.items.length, 6);
    });

    await t.test('apiKey: public read, no writes', async () => {
      const { items } = await listAll(client.models.Todo.list, { authMode: 'apiKey' });
      assert.equal(items.length, 7);
      const got = ok(await client.models.Todo.get({ id: first.id }, { authMode: 'apiKey' }), 'get with apiKey');
      assert.equal(got.content, 'tests written');
      assert.deepEqual(await errorTypes(() => client.models.Todo.create({ content: 'anonymous' }, { authMode: 'apiKey' })), ['Unauthorized']);
      assert.deepEqual(await errorTypes(() => client.models.Todo.delete({ id: first.id }, { authMode: 'apiKey' })), ['Unauthorized']);
    });

    await t.test('onCreate: the owner gets their own event, not another user\'s', async () => {
      const events = [];
      const errors = [];
      const connected = new Promise((resolve) => {
        const stop = Hub.listen('api', ({ payload }) => {
          if (payload.event === CONNECTION_STATE_CHANGE && payload.data.connectionState === ConnectionState.Connected) {
            stop();
            resolve();
          }
        });
      });
      subscription = client.models.Todo.onCreate().subscribe({
        next: (item) => events.push(item),
        error: (e) => errors.push(e),
      });
      await Promise.race([connected, sleep(10_000).then(() => assert.fail('the subscription did not connect'))]);
      await sleep(300);
      // Bob creates (a direct GraphQL call with his access token): not for Ada's subscription.
      const bobTokens = await cognito(outputs.custom.stratus.user_pool_endpoint, 'InitiateAuth', {
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: outputs.auth.user_pool_client_id,
        AuthParameters: { USERNAME: bob, PASSWORD },
      });
      assert.equal(bobTokens.status, 200, JSON.stringify(bobTokens.body));
      const bobCreate = await fetch(outputs.data.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: bobTokens.body.AuthenticationResult.AccessToken },
        body: JSON.stringify({ query: 'mutation C($input: CreateTodoInput!) { createTodo(input: $input) { id owner } }', variables: { input: { content: 'bob was here' } } }),
      });
      const bobBody = await bobCreate.json();
      assert.equal(bobBody.errors, undefined, JSON.stringify(bobBody));
      ok(await client.models.Todo.create({ content: 'ada live' }), 'create while subscribed');
      const deadline = Date.now() + 10_000;
      while (events.length === 0 && Date.now() < deadline) await sleep(50);
      await sleep(500);
      assert.deepEqual(errors, []);
      assert.deepEqual(events.map((e) => e.content), ['ada live']);
      assert.ok(events[0].owner.startsWith(adaSub));

      // A reload that leaves the data and auth definitions as they were (a saved comment)
      // keeps the subscription receiving.
      const { generation } = await (await fetch(`${origin}/_stratus/health`)).json();
      fs.appendFileSync(path.join(project.dir, 'amplify', 'data', 'resource.ts'), '\n// saved again\n');
      const deadline2 = Date.now() + 20_000;
      while ((await (await fetch(`${origin}/_stratus/health`)).json()).generation <= generation) {
        assert.ok(Date.now() < deadline2, 'no reload');
        await sleep(100);
      }
      ok(await client.models.Todo.create({ content: 'after reload' }), 'create after the reload');
      const deadline3 = Date.now() + 10_000;
      while (events.length < 2 && Date.now() < deadline3) await sleep(50);
      assert.deepEqual(events.map((e) => e.content), ['ada live', 'after reload']);
      subscription.unsubscribe();
      subscription = undefined;
    });

    await t.test('observeQuery: a synced snapshot, then the owner\'s update and delete', async () => {
      const snapshots = [];
      const errors = [];
      const observed = client.models.Todo.observeQuery({ filter: { priority: { ge: 6 } } }).subscribe({
        next: (snapshot) => snapshots.push({ items: snapshot.items.map((i) => [i.content, i.done]), isSynced: snapshot.isSynced }),
        error: (e) => errors.push(e),
      });
      try {
        const waitFor = async (predicate, what) => {
          const deadline = Date.now() + 10_000;
          while (!snapshots.some(predicate)) {
            assert.ok(Date.now() < deadline, `${what}: ${JSON.stringify(snapshots)} ${JSON.stringify(errors)}`);
            await sleep(50);
          }
        };
        await waitFor((s) => s.isSynced && s.items.length === 2, 'synced snapshot');
        const synced = snapshots.find((s) => s.isSynced);
        assert.deepEqual(synced.items.map(([c]) => c).sort(), ['item 6', 'item 7']);
        await sleep(300);
        const { items } = await listAll(client.models.Todo.list, { filter: { content: { eq: 'item 6' } } });
        ok(await client.models.Todo.update({ id: items[0].id, done: true }), 'update item 6');
        await waitFor((s) => s.items.some(([c, d]) => c === 'item 6' && d === true), 'the update');
        ok(await client.models.Todo.delete({ id: items[0].id }), 'delete item 6');
        await waitFor((s) => s.isSynced && s.items.length === 1 && s.items[0][0] === 'item 7', 'the delete');
        assert.deepEqual(errors, []);
      } finally {
        observed.unsubscribe();
      }
    });

    await t.test('a second user sees none of the first user\'s items and cannot change them', async () => {
      const bobSub = (await signedIn(bob, PASSWORD)).accessToken.payload.sub;
      assert.notEqual(bobSub, adaSub);
      const { items } = await listAll(client.models.Todo.list, {});
      assert.deepEqual(items.map((i) => i.content), ['bob was here']);
      assert.deepEqual(await errorTypes(() => client.models.Todo.get({ id: first.id })), ['Unauthorized']);
      assert.ok((await errorTypes(() => client.models.Todo.update({ id: first.id, content: 'taken' }))).length > 0, 'update of another\'s item refused');
      assert.ok((await errorTypes(() => client.models.Todo.delete({ id: first.id }))).length > 0, 'delete of another\'s item refused');
      // Still the owner's content.
      const got = ok(await client.models.Todo.get({ id: first.id }, { authMode: 'apiKey' }), 'apiKey get');
      assert.equal(got.content, 'tests written');
    });

    await t.test('delete as the owner', async () => {
      await signedIn(ada, PASSWORD);
      const deleted = ok(await client.models.Todo.delete({ id: first.id }), 'delete');
      assert.equal(deleted.id, first.id);
      assert.equal(ok(await client.models.Todo.get({ id: first.id }), 'get deleted'), null);
    });
  } finally {
    subscription?.unsubscribe();
    await signOut().catch(() => {});
    await sandbox?.stop();
    project.cleanup();
  }
});
