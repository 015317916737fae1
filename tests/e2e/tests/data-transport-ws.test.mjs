// The `graphql-transport-ws` protocol at the sandbox's realtime endpoint, spoken by the real
// `graphql-ws` client library (6.4.2, `createClient`), on a copy of the ex-todo-owner fixture
// (Todo: owner rules + public API-key read). The credentials go in `connection_init`'s payload
// as AppSync's header map (`{ Authorization, host }`, see crates/data/README.md): a user's
// onCreateTodo receives the Todo they create through aws-amplify's generateClient() and not
// another user's; a bad or missing credential closes the socket with 4403 (Forbidden), which
// the library reports as a fatal close.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { signOut } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';

import { amplifyConfig, cognito } from '../lib/auth.mjs';
import { listen, ok, register, signedIn, sleep, until } from '../lib/data.mjs';
import { copyFixture } from '../lib/fixtures.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!gqlws';
const ON_CREATE = 'subscription { onCreateTodo { id content owner } }';

/** A `graphql-ws` client for the sandbox with `params` as connection_init's payload. */
function wsClient(outputs, params) {
  const { host } = new URL(outputs.data.url);
  const closes = [];
  let connected;
  const ready = new Promise((resolve) => {
    connected = resolve;
  });
  const client = createClient({
    url: `wss://${host}/graphql/realtime`,
    webSocketImpl: WebSocket,
    connectionParams: { ...params, host },
    retryAttempts: 0,
    on: { connected: () => connected(), closed: (event) => closes.push(event) },
  });
  return { client, ready, closes };
}

/** Subscribes to `query` on a `graphql-ws` client, as `listen` does to an observable. */
function listenWs(client, query) {
  return listen({ subscribe: (sink) => ({ unsubscribe: client.subscribe({ query }, sink) }) });
}

test('data: graphql-transport-ws with the graphql-ws client library', { timeout: 180_000 }, async (t) => {
  const project = copyFixture('ex-todo-owner');
  let sandbox;
  const clients = [];
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-data-gqlws-${process.pid}` });
    const { outputs, origin } = sandbox;
    Amplify.configure(amplifyConfig(outputs));
    const ada = `ada-${RUN}@example.com`;
    const bob = `bob-${RUN}@example.com`;
    await register(origin, ada, PASSWORD);
    await register(origin, bob, PASSWORD);
    // Bob's token from a direct InitiateAuth: signing him out through the client (to sign Ada
    // in) would revoke it.
    const bobAuth = await cognito(outputs.custom.stratus.user_pool_endpoint, 'InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: outputs.auth.user_pool_client_id,
      AuthParameters: { USERNAME: bob, PASSWORD },
    });
    assert.equal(bobAuth.status, 200, JSON.stringify(bobAuth.body));
    const bobToken = bobAuth.body.AuthenticationResult.AccessToken;
    const adaTokens = await signedIn(ada, PASSWORD);
    const data = generateClient();

    await t.test('an owner receives their own create, another user does not', async () => {
      const adaWs = wsClient(outputs, { Authorization: adaTokens.accessToken.toString() });
      const bobWs = wsClient(outputs, { Authorization: bobToken });
      clients.push(adaWs.client, bobWs.client);
      const adaSeen = listenWs(adaWs.client, ON_CREATE);
      const bobSeen = listenWs(bobWs.client, ON_CREATE);
      await Promise.race([
        Promise.all([adaWs.ready, bobWs.ready]),
        sleep(10_000).then(() => assert.fail(`not connected: ${JSON.stringify([adaWs.closes, bobWs.closes].map((c) => c.map((e) => e.code)))}`)),
      ]);
      // `subscribe` has no acknowledgement in this protocol: give the server a moment to start it.
      await sleep(500);

      const created = ok(await data.models.Todo.create({ content: 'over graphql-ws' }), 'create as ada');
      await until(() => adaSeen.events.length > 0 || adaSeen.errors.length > 0, 'ada\'s event');
      assert.deepEqual(adaSeen.errors, []);
      assert.deepEqual(adaSeen.events, [
        { data: { onCreateTodo: { id: created.id, content: 'over graphql-ws', owner: created.owner } } },
      ]);
      await sleep(500);
      assert.deepEqual(bobSeen.events, [], 'bob does not get ada\'s todo');
      assert.deepEqual(bobSeen.errors, []);

      // And the other way round: bob's create (a plain POST /graphql with his token) reaches bob only.
      const res = await fetch(outputs.data.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: bobToken },
        body: JSON.stringify({
          query: 'mutation C($input: CreateTodoInput!) { createTodo(input: $input) { id } }',
          variables: { input: { content: 'bob over graphql-ws' } },
        }),
      });
      const bobs = ok(await res.json(), 'create as bob').createTodo;
      await until(() => bobSeen.events.length > 0, 'bob\'s event');
      assert.equal(bobSeen.events[0].data.onCreateTodo.id, bobs.id);
      await sleep(500);
      assert.equal(adaSeen.events.length, 1, 'ada does not get bob\'s todo');
      assert.equal(adaSeen.completed, false);
      adaSeen.subscription.unsubscribe();
      bobSeen.subscription.unsubscribe();
    });

    await t.test('bad or missing credentials close the socket with 4403', async () => {
      for (const [what, params] of [
        ['a token that is not a JWT', { Authorization: 'not-a-token' }],
        ['a wrong API key', { 'x-api-key': 'da2-wrongwrongwrongwrongwrong' }],
        ['no credentials', {}],
      ]) {
        const ws = wsClient(outputs, params);
        clients.push(ws.client);
        const seen = listenWs(ws.client, ON_CREATE);
        await until(() => seen.errors.length > 0, `${what}: the subscription's error`);
        const [error] = seen.errors;
        assert.equal(error.code, 4403, `${what}: ${error.code} ${error.reason}`);
        assert.equal(error.reason, 'Forbidden', what);
        assert.deepEqual(ws.closes.map((e) => e.code), [4403], what);
        assert.deepEqual(seen.events, [], what);
      }
    });

    await t.test('the API key of the sandbox may read (public read) over graphql-ws', async () => {
      const keyWs = wsClient(outputs, { 'x-api-key': outputs.data.api_key });
      clients.push(keyWs.client);
      const keySeen = listenWs(keyWs.client, ON_CREATE);
      await Promise.race([keyWs.ready, sleep(10_000).then(() => assert.fail('the API-key client did not connect'))]);
      await sleep(500);
      const created = ok(await data.models.Todo.create({ content: 'public read' }), 'create for the API key');
      await until(() => keySeen.events.length > 0 || keySeen.errors.length > 0, 'the API key\'s event');
      assert.deepEqual(keySeen.errors, []);
      assert.equal(keySeen.events[0].data.onCreateTodo.id, created.id);
      keySeen.subscription.unsubscribe();
    });
  } catch (e) {
    if (sandbox) console.error(sandbox.logs());
    throw e;
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await signOut().catch(() => {});
    await sandbox?.stop();
    project.cleanup();
  }
});
