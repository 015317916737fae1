// generateClient() on a copy of examples/notes: relations (Notebook hasMany Note, Note
// belongsTo Notebook) through lazy loaders and selection sets, the secondary index query
// (`listNoteByNotebookIdAndTitle`, sort key conditions and direction), enum / list / @default
// fields, and the rules of Note (owner; any signed-in user reads; the Admins group does
// everything) and Notebook (owner only) for another user, a group member and a guest.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  AdminAddUserToGroupCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { signOut } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';

import { amplifyConfig } from '../lib/auth.mjs';
import { errorTypes, ok, register, signedIn } from '../lib/data.mjs';
import { copyExample } from '../lib/fixtures.mjs';
import { startSandbox } from '../lib/sandbox.mjs';
import { adminCredentials } from '../lib/storage.mjs';

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!notes';

test('data (examples/notes): relations, index queries and multi-rule authorization', { timeout: 180_000 }, async (t) => {
  const project = copyExample('notes');
  let sandbox;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-data-notes-${process.pid}` });
    const { outputs, origin } = sandbox;
    Amplify.configure(amplifyConfig(outputs));
    const client = generateClient();
    const ada = `ada-${RUN}@example.com`;
    const bob = `bob-${RUN}@example.com`;
    await register(origin, ada, PASSWORD);
    await register(origin, bob, PASSWORD);
    await signedIn(ada, PASSWORD);

    let notebook;
    const notes = {};
    await t.test('a notebook with notes: enum, list and @default fields', async () => {
      notebook = ok(await client.models.Notebook.create({ title: 'Ideas' }), 'create notebook');
      for (const title of ['beta', 'alpha', 'gamma']) {
        notes[title] = ok(
          await client.models.Note.create({ notebookId: notebook.id, title, body: `${title} body`, visibility: 'PUBLIC', tags: [title, 'x'] }),
          `create ${title}`,
        );
      }
      assert.equal(notes.alpha.pinned, false, '@default(false)');
      assert.equal(notes.alpha.visibility, 'PUBLIC');
      assert.deepEqual(notes.alpha.tags, ['alpha', 'x']);
      // A value outside the enum is refused by the schema.
      const refused = await errorTypes(() => client.models.Note.create({ title: 'bad', visibility: 'SECRET' }));
      assert.ok(refused.length > 0, 'an unknown enum value is refused');
    });

    await t.test('lazy loaders and a nested selection set', async () => {
      const loaded = ok(await client.models.Notebook.get({ id: notebook.id }), 'get notebook');
      const children = ok(await loaded.notes(), 'notebook.notes()');
      assert.deepEqual(children.map((n) => n.title).sort(), ['alpha', 'beta', 'gamma']);
      const note = ok(await client.models.Note.get({ id: notes.beta.id }), 'get note');
      const parent = ok(await note.notebook(), 'note.notebook()');
      assert.equal(parent.title, 'Ideas');
      const nested = ok(await client.models.Notebook.get({ id: notebook.id }, { selectionSet: ['id', 'title', 'notes.title', 'notes.tags'] }), 'selection set');
      assert.equal(nested.title, 'Ideas');
      assert.deepEqual(nested.notes.map((n) => n.title).sort(), ['alpha', 'beta', 'gamma']);
      assert.deepEqual(Object.keys(nested.notes[0]).sort(), ['tags', 'title']);
    });

    await t.test('the secondary index query: sort key condition and direction', async () => {
      const all = ok(await client.models.Note.listNoteByNotebookIdAndTitle({ notebookId: notebook.id }), 'index query');
      assert.deepEqual(all.map((n) => n.title), ['alpha', 'beta', 'gamma']);
      const desc = ok(await client.models.Note.listNoteByNotebookIdAndTitle({ notebookId: notebook.id }, { sortDirection: 'DESC' }), 'DESC');
      assert.deepEqual(desc.map((n) => n.title), ['gamma', 'beta', 'alpha']);
      const begins = ok(await client.models.Note.listNoteByNotebookIdAndTitle({ notebookId: notebook.id, title: { beginsWith: 'g' } }), 'beginsWith');
      assert.deepEqual(begins.map((n) => n.title), ['gamma']);
      const between = ok(await client.models.Note.listNoteByNotebookIdAndTitle({ notebookId: notebook.id, title: { between: ['alpha', 'beta'] } }), 'between');
      assert.deepEqual(between.map((n) => n.title), ['alpha', 'beta']);
    });

    await t.test('another signed-in user reads notes but not the notebook, and changes nothing', async () => {
      await signedIn(bob, PASSWORD);
      const seen = ok(await client.models.Note.list(), 'list notes');
      assert.deepEqual(seen.map((n) => n.title).sort(), ['alpha', 'beta', 'gamma']);
      assert.deepEqual(await errorTypes(() => client.models.Notebook.get({ id: notebook.id })), ['Unauthorized']);
      assert.deepEqual(ok(await client.models.Notebook.list(), 'list notebooks'), []);
      assert.ok((await errorTypes(() => client.models.Note.update({ id: notes.alpha.id, title: 'mine now' }))).length > 0, 'update refused');
      assert.ok((await errorTypes(() => client.models.Note.delete({ id: notes.alpha.id }))).length > 0, 'delete refused');
    });

    await t.test('a member of Admins updates and deletes another user\'s note', async () => {
      const admin = adminCredentials(project.dir);
      const cognito = new CognitoIdentityProviderClient({
        endpoint: outputs.custom.stratus.user_pool_endpoint,
        region: outputs.auth.aws_region,
        credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
      });
      try {
        await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: outputs.auth.user_pool_id, Username: bob, GroupName: 'Admins' }));
      } finally {
        cognito.destroy();
      }
      const tokens = await signedIn(bob, PASSWORD);
      assert.deepEqual(tokens.accessToken.payload['cognito:groups'], ['Admins']);
      const updated = ok(await client.models.Note.update({ id: notes.alpha.id, pinned: true }), 'group update');
      assert.equal(updated.pinned, true);
      assert.equal(updated.title, 'alpha');
      ok(await client.models.Note.delete({ id: notes.gamma.id }), 'group delete');
      // The notebook stays the owner's alone.
      assert.deepEqual(await errorTypes(() => client.models.Notebook.get({ id: notebook.id })), ['Unauthorized']);
    });

    await t.test('a guest (identityPool) is refused', async () => {
      await signOut();
      assert.deepEqual(await errorTypes(() => client.models.Note.list({ authMode: 'identityPool' })), ['Unauthorized']);
    });

    await t.test('the owner sees the group\'s changes', async () => {
      await signedIn(ada, PASSWORD);
      const mine = ok(await client.models.Note.listNoteByNotebookIdAndTitle({ notebookId: notebook.id }), 'index query');
      assert.deepEqual(mine.map((n) => [n.title, n.pinned]), [['alpha', true], ['beta', false]]);
    });
  } finally {
    await signOut().catch(() => {});
    await sandbox?.stop();
    project.cleanup();
  }
});
