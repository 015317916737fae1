// Realtime subscriptions of the unmodified aws-amplify 6.22.1 client across sandbox reloads
// that change the data definition, on a copy of the ex-todo-owner fixture (Todo: owner rules +
// public API-key read; default mode userPool):
// - a saved schema change (a new field) opens a new data service; the open onCreate and
//   observeQuery keep receiving the creates it serves (no reconnect needed, no event lost);
// - a saved auth change that takes the API key's read access away ends the API-key
//   subscription with an error (never a silent orphan, never the old rules), while the owner
//   keeps receiving their own creates.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { signOut } from 'aws-amplify/auth';
import { CONNECTION_STATE_CHANGE, ConnectionState, generateClient } from 'aws-amplify/data';
import { Hub } from 'aws-amplify/utils';

import { amplifyConfig } from '../lib/auth.mjs';
import { ok, provideWebSocket, register, signedIn, sleep } from '../lib/data.mjs';
import { copyFixture } from '../lib/fixtures.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

provideWebSocket();

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!reload';

async function waitFor(predicate, what, state, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    assert.ok(Date.now() < deadline, `${what}: ${JSON.stringify(state())}`);
    await sleep(50);
  }
}

/** Resolves at the next `Connected` connection state of the realtime provider. */
function nextConnected() {
  return new Promise((resolve) => {
    const stop = Hub.listen('api', ({ payload }) => {
      if (payload.event === CONNECTION_STATE_CHANGE && payload.data.connectionState === ConnectionState.Connected) {
        stop();
        resolve();
      }
    });
  });
}

/** Saves `edit(source)` as the data resource and waits (bounded) for the reload it causes. */
async function saveDataResource(projectDir, origin, edit) {
  const { generation } = await (await fetch(`${origin}/_stratus/health`)).json();
  const file = path.join(projectDir, 'amplify', 'data', 'resource.ts');
  const source = fs.readFileSync(file, 'utf8');
  const edited = edit(source);
  assert.notEqual(edited, source, 'the edit changes the file');
  fs.writeFileSync(file, edited);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const health = await (await fetch(`${origin}/_stratus/health`)).json();
    if (health.generation > generation) {
      assert.equal(health.error ?? null, null, JSON.stringify(health));
      return health;
    }
    assert.ok(Date.now() < deadline, `no reload after generation ${generation}: ${JSON.stringify(health)}`);
    await sleep(100);
  }
}

test('data: realtime subscriptions follow reloads that change the schema and the rules', { timeout: 180_000 }, async (t) => {
  const project = copyFixture('ex-todo-owner');
  let sandbox;
  const open = [];
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-data-reload-${process.pid}` });
    const { outputs, origin } = sandbox;
    Amplify.configure(amplifyConfig(outputs));
    const client = generateClient();
    const ada = `ada-${RUN}@example.com`;
    await register(origin, ada, PASSWORD);
    await signedIn(ada, PASSWORD);

    // The owner's onCreate and observeQuery, and an API-key onCreate (public read), on one socket.
    const created = [];
    const keyCreated = [];
    const snapshots = [];
    const errors = { owner: [], key: [], observed: [] };
    const connected = nextConnected();
    open.push(
      client.models.Todo.onCreate().subscribe({
        next: (item) => created.push(item.content),
        error: (e) => errors.owner.push(e),
      }),
      client.models.Todo.onCreate({ authMode: 'apiKey' }).subscribe({
        next: (item) => keyCreated.push(item.content),
        error: (e) => errors.key.push(e),
      }),
      client.models.Todo.observeQuery().subscribe({
        next: (s) => snapshots.push({ items: s.items.map((i) => i.content).sort(), isSynced: s.isSynced }),
        error: (e) => errors.observed.push(e),
      }),
    );
    const state = () => ({ created, keyCreated, snapshots: snapshots.slice(-2), errors });
    await Promise.race([connected, sleep(10_000).then(() => assert.fail('the subscriptions did not connect'))]);
    await waitFor(() => snapshots.some((s) => s.isSynced), 'synced snapshot', state);
    await sleep(300);

    ok(await client.models.Todo.create({ content: 'before' }), 'create before');
    await waitFor(() => created.includes('before') && keyCreated.includes('before'), 'events before the reload', state);

    await t.test('a new field: open subscriptions keep receiving on the new generation', async () => {
      await saveDataResource(project.dir, origin, (s) =>
        s.replace('priority: a.integer(),', 'priority: a.integer(),\n      tag: a.string(),'),
      );
      // The client was configured before the field existed; a raw create sets it.
      const r = await client.graphql({
        query: 'mutation C($input: CreateTodoInput!) { createTodo(input: $input) { id content tag } }',
        variables: { input: { content: 'after schema change', tag: 'new' } },
      });
      assert.equal(ok(r, 'create with the new field').createTodo.tag, 'new');
      await waitFor(
        () => created.includes('after schema change') && keyCreated.includes('after schema change'),
        'onCreate after the schema reload',
        state,
      );
      await waitFor(
        () => snapshots.at(-1)?.items.includes('after schema change'),
        'observeQuery after the schema reload',
        state,
      );
      assert.deepEqual(errors, { owner: [], key: [], observed: [] });

      // A subscription opened now may select the new field.
      const tagged = [];
      const taggedErrors = [];
      const sub = client
        .graphql({ query: 'subscription { onCreateTodo { content tag } }' })
        .subscribe({ next: ({ data }) => tagged.push(data.onCreateTodo), error: (e) => taggedErrors.push(e) });
      open.push(sub);
      await sleep(1500);
      ok(await client.graphql({
        query: 'mutation C($input: CreateTodoInput!) { createTodo(input: $input) { id } }',
        variables: { input: { content: 'tagged', tag: 't2' } },
      }), 'create tagged');
      await waitFor(() => tagged.length > 0, 'the new field in an event', () => ({ tagged, taggedErrors }));
      assert.deepEqual(tagged, [{ content: 'tagged', tag: 't2' }]);
      // The other subscribers get it too; wait for them, so that the next step counts only the
      // events after its own reload.
      await waitFor(
        () => created.includes('tagged') && keyCreated.includes('tagged'),
        'the tagged item reaching the open subscriptions',
        state,
      );
      sub.unsubscribe();
    });

    await t.test('a rule that takes read access away: that subscriber gets an error and no more items', async () => {
      const keyBefore = keyCreated.length;
      const reconnected = nextConnected();
      await saveDataResource(project.dir, origin, (s) =>
        s.replace("allow.publicApiKey().to(['read']),", "allow.publicApiKey().to(['create']),"),
      );
      await waitFor(() => errors.key.length > 0, 'an error for the API-key subscriber', state);
      assert.match(JSON.stringify(errors.key[0]), /Unauthorized/);
      // The client closes its socket on an authorization error and reconnects the owner's
      // subscriptions (after its 5 s reconnect delay); then the owner's creates reach them.
      await Promise.race([reconnected, sleep(20_000).then(() => assert.fail('the owner\'s subscriptions did not reconnect'))]);
      await sleep(500);
      ok(await client.models.Todo.create({ content: 'after rule change' }), 'create after the rule change');
      await waitFor(() => created.includes('after rule change'), 'the owner\'s event after the rule change', state);
      await waitFor(
        () => snapshots.at(-1)?.items.includes('after rule change'),
        'observeQuery after the rule change',
        state,
      );
      await sleep(500);
      assert.equal(keyCreated.length, keyBefore, `the API key received ${JSON.stringify(keyCreated)}`);
      assert.deepEqual(errors.owner, []);
      assert.deepEqual(errors.observed, []);
    });
  } finally {
    for (const s of open) s.unsubscribe();
    await signOut().catch(() => {});
    await sandbox?.stop();
    project.cleanup();
  }
});
