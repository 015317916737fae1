// Custom queries and mutations backed by defineFunction handlers (TypeScript, run on Node by the
// sandbox's functions runtime) through generateClient()'s client.queries / client.mutations, on
// tests/e2e/projects/data-functions: arguments in, results out (scalars, custom types), the
// signed-in user's identity as the handler sees it, a thrown error as AppSync reports a failed
// Lambda (`Lambda:Unhandled` + the error's message), a pipeline with an async step, a custom
// subscription fired by a function-backed mutation, and the Lambda authorization mode
// (authMode 'lambda' with authToken: resolverContext, deniedFields, refusals, realtime), and a
// function calling the API with its own credentials (allow.resource(fn), SigV4 by hand).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';

import { amplifyConfig, copyProject } from '../lib/auth.mjs';
import { errorTypes, listen, ok, provideWebSocket, register, signedIn, sleep, until } from '../lib/data.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

provideWebSocket();

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!fns';

/** The messages of a refused call (the client rewrites an HTTP 401 as 'Unauthorized'). */
async function failure(call) {
  try {
    const r = await call();
    return r.errors ?? [];
  } catch (e) {
    return e.errors ?? [e];
  }
}

test('data (functions): custom operations on defineFunction handlers and the Lambda auth mode', { timeout: 240_000 }, async (t) => {
  const project = await copyProject('data-functions');
  let sandbox;
  const open = [];
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-data-fns-${process.pid}` });
    const { outputs, origin } = sandbox;
    assert.equal(outputs.data.default_authorization_type, 'AMAZON_COGNITO_USER_POOLS');
    assert.ok(outputs.data.authorization_types.includes('AWS_LAMBDA'), JSON.stringify(outputs.data));
    Amplify.configure(amplifyConfig(outputs));
    const email = `fns-${RUN}@example.com`;
    await register(origin, email, PASSWORD);
    const tokens = await signedIn(email, PASSWORD);
    const client = generateClient();

    await t.test('client.queries.echo runs the handler (API key and user pool)', async () => {
      assert.equal(ok(await client.queries.echo({ msg: 'hi', times: 3 }, { authMode: 'apiKey' }), 'echo'), 'hi hi hi');
      assert.equal(ok(await client.queries.echo({ msg: 'solo' }), 'echo as the user'), 'solo');
    });

    await t.test('the handler sees the signed-in user and the request', async () => {
      const me = ok(await client.queries.whoami(), 'whoami');
      assert.equal(me.sub, tokens.accessToken.payload.sub);
      assert.equal(me.username, tokens.accessToken.payload.username);
      assert.equal(me.tokenUse, 'access');
      assert.equal(me.typeName, 'Query');
      assert.equal(me.fieldName, 'whoami');
      assert.match(me.userAgent ?? '', /aws-amplify/);
      // whoami is allow.authenticated(): the API key may not call it, and no handler runs.
      assert.ok((await errorTypes(() => client.queries.whoami({ authMode: 'apiKey' }))).includes('Unauthorized'));
    });

    await t.test('a thrown error reaches the client as AppSync reports a failed Lambda', async () => {
      const r = await client.mutations.fail({ reason: 'out of stock' });
      assert.equal(r.data, null);
      assert.equal(r.errors?.length, 1, JSON.stringify(r));
      assert.equal(r.errors[0].errorType, 'Lambda:Unhandled');
      assert.equal(r.errors[0].message, 'rejected: out of stock');
      assert.deepEqual(r.errors[0].path, ['fail']);
    });

    await t.test('a function-backed mutation fires the custom subscription that names it', async () => {
      const general = listen(client.subscriptions.onPost({ channel: 'general' }));
      const every = listen(client.subscriptions.onPost());
      open.push(general, every);
      await sleep(1500);
      const first = ok(await client.mutations.post({ channel: 'random', body: 'one' }), 'post random');
      assert.deepEqual(first, { channel: 'random', body: 'one', author: tokens.accessToken.payload.username });
      ok(await client.mutations.post({ channel: 'general', body: 'two' }), 'post general');
      await until(() => general.events.length >= 1 && every.events.length >= 2, 'the posts');
      await sleep(300);
      assert.deepEqual(general.errors, []);
      assert.deepEqual(general.events.map((m) => [m.channel, m.body]), [['general', 'two']]);
      assert.deepEqual(every.events.map((m) => m.body), ['one', 'two']);
      assert.equal(general.events[0].author, tokens.accessToken.payload.username);
    });

    await t.test('a pipeline whose last step is async answers success and runs that step', async () => {
      const r = ok(await client.mutations.postAndAudit({ channel: 'audit', body: 'three' }), 'postAndAudit');
      assert.deepEqual(r, { success: true });
      const expected = `AUDIT postAndAudit ${JSON.stringify({ channel: 'audit', body: 'three', author: tokens.accessToken.payload.username })}`;
      await until(() => sandbox.logs().includes(expected), 'the audit step in the function log');
    });

    await t.test("authMode 'lambda': the authorizer's context, denied fields and refusals", async () => {
      const lambda = (authToken) => ({ authMode: 'lambda', authToken });
      const raw = ok(await client.queries.teamContext(lambda('team-red')), 'teamContext');
      const context = typeof raw === 'string' ? JSON.parse(raw) : raw;
      assert.equal(context.team, 'red');
      assert.equal(typeof context.operation, 'string');
      const note = ok(await client.models.TeamNote.create({ text: 'plan', secret: 'launch codes' }, lambda('team-red')), 'create note');
      assert.equal(note.secret, 'launch codes');
      // A reader token: TeamNote.secret is in deniedFields.
      const r = await client.models.TeamNote.get({ id: note.id }, lambda('reader-red'));
      assert.equal(r.data?.text, 'plan', JSON.stringify(r));
      assert.equal(r.data?.secret ?? null, null);
      assert.ok(r.errors?.some((e) => e.errorType === 'Unauthorized' && /secret/.test(e.message)), JSON.stringify(r.errors));
      // A refused token: HTTP 401, which the client reports as 'Unauthorized'.
      const refused = await failure(() => client.queries.teamContext(lambda('stranger')));
      assert.ok(refused.some((e) => /Unauthorized/.test(e.message ?? e.errorType ?? '')), JSON.stringify(refused));
      // The user pool may not call an allow.custom() operation.
      assert.ok((await errorTypes(() => client.queries.teamContext())).includes('Unauthorized'));
    });

    await t.test("authMode 'lambda' subscribers get the creates over the realtime socket", async () => {
      const lambda = { authMode: 'lambda', authToken: 'team-blue' };
      const created = listen(client.models.TeamNote.onCreate(lambda));
      open.push(created);
      await sleep(1500);
      const note = ok(await client.models.TeamNote.create({ text: 'live' }, lambda), 'create live note');
      await until(() => created.events.length >= 1, 'the onCreate event');
      assert.deepEqual(created.errors, []);
      assert.equal(created.events[0].id, note.id);
      assert.equal(created.events[0].text, 'live');
    });
    await t.test('a function calls the API with its own credentials (allow.resource(fn).to([\'query\']))', async () => {
      const notes = ok(await client.models.TeamNote.list({ authMode: 'lambda', authToken: 'team-red' }), 'list notes');
      assert.ok(notes.length >= 2, JSON.stringify(notes));
      const r = ok(await client.queries.teamNoteCount(), 'teamNoteCount');
      assert.equal(r.count, notes.length);
      // Its grant is read-only: the write it tries is refused.
      assert.equal(r.writeError, 'Unauthorized');
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
