// Custom subscriptions (a.subscription().for(...)) on a copy of the b-subscriptions fixture,
// through generateClient()'s client.subscriptions.<name>: roomChanged(name:) listens to
// createRoom/updateRoom and filters on its argument; roomDeleted (API key) gets deletes;
// roomEvents (`@aws_cognito_user_pools(cognito_groups: ["Admins"])`) refuses a user outside
// Admins.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';

import { amplifyConfig } from '../lib/auth.mjs';
import { listen, ok, provideWebSocket, register, signedIn, sleep, until } from '../lib/data.mjs';
import { copyFixture } from '../lib/fixtures.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

provideWebSocket();

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!subs';

test('data (b-subscriptions): custom subscriptions through client.subscriptions', { timeout: 180_000 }, async (t) => {
  const project = copyFixture('b-subscriptions');
  let sandbox;
  const open = [];
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-data-subs-${process.pid}` });
    const { outputs, origin } = sandbox;
    Amplify.configure(amplifyConfig(outputs));
    const email = `subs-${RUN}@example.com`;
    await register(origin, email, PASSWORD);
    await signedIn(email, PASSWORD);
    const client = generateClient();

    await t.test('roomChanged(name:) gets creates and updates of that name only; roomDeleted the deletes', async () => {
      const lobby = listen(client.subscriptions.roomChanged({ name: 'lobby' }));
      const deleted = listen(client.subscriptions.roomDeleted({ authMode: 'apiKey' }));
      open.push(lobby, deleted);
      await sleep(1500);
      const kitchen = ok(await client.models.Room.create({ name: 'kitchen' }), 'create kitchen');
      const room = ok(await client.models.Room.create({ name: 'lobby', topic: 'hello' }), 'create lobby');
      await until(() => lobby.events.length >= 1, 'the lobby create');
      ok(await client.models.Room.update({ id: room.id, topic: 'news' }), 'update lobby');
      await until(() => lobby.events.length >= 2, 'the lobby update');
      ok(await client.models.Room.delete({ id: kitchen.id }), 'delete kitchen');
      await until(() => deleted.events.length >= 1, 'the delete');
      await sleep(500);
      assert.deepEqual(lobby.errors, []);
      assert.deepEqual(lobby.events.map((r) => [r.name, r.topic]), [['lobby', 'hello'], ['lobby', 'news']]);
      assert.deepEqual(deleted.errors, []);
      assert.deepEqual(deleted.events.map((r) => r.name), ['kitchen']);
    });

    await t.test('roomEvents (cognito_groups: Admins) refuses a user outside the group', async () => {
      const refused = listen(client.subscriptions.roomEvents());
      open.push(refused);
      await until(() => refused.errors.length > 0, 'the refusal');
      const [error] = refused.errors;
      const types = (error.errors ?? [error]).map((e) => e.errorType ?? e.message);
      assert.ok(types.some((x) => /Unauthorized/.test(String(x))), JSON.stringify(error));
      assert.deepEqual(refused.events, []);
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
