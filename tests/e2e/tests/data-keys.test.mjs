// generateClient() with custom identifiers and relationship loaders over them:
// - b-keys-indexes (identityPool guests): a composite identifier (deviceId + site + seq, an
//   integer sort key part) through create / get / update / delete / list by partition key
//   with a sort key condition and direction, a duplicate key refused, and a single custom
//   identifier (`sku`);
// - b-relations (userPool, API key reads): a parent with a composite identifier (Store:
//   chain + storeNumber) whose children reference it with two fields: hasMany → items,
//   hasOne → item, belongsTo → parent, through the lazy loaders and a selection set.
// (Single-key hasMany/belongsTo loaders are in data-notes.test.mjs.)
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { signOut } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';

import { amplifyConfig } from '../lib/auth.mjs';
import { ok, register, signedIn } from '../lib/data.mjs';
import { copyFixture } from '../lib/fixtures.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!keys';

test('data (b-keys-indexes): composite and custom identifiers through generateClient', { timeout: 180_000 }, async (t) => {
  const project = copyFixture('b-keys-indexes');
  let sandbox;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-data-keys-${process.pid}` });
    Amplify.configure(amplifyConfig(sandbox.outputs));
    await signOut();
    const client = generateClient({ authMode: 'identityPool' });
    const key = (deviceId, site, seq) => ({ deviceId, site, seq });

    await t.test('create, then get by the whole composite key', async () => {
      for (const [d, s, q, v] of [['d1', 'A', 1, 1.5], ['d1', 'A', 2, 2.5], ['d1', 'B', 1, 3.5], ['d2', 'A', 1, 4.5]]) {
        const made = ok(await client.models.Reading.create({ ...key(d, s, q), value: v, unit: 'C' }), `create ${d}/${s}/${q}`);
        assert.deepEqual([made.deviceId, made.site, made.seq, made.value], [d, s, q, v]);
        assert.equal(made.id, undefined);
      }
      const got = ok(await client.models.Reading.get(key('d1', 'A', 2)), 'get');
      assert.equal(got.value, 2.5);
      assert.equal(ok(await client.models.Reading.get(key('d1', 'A', 3)), 'get missing'), null);
    });

    await t.test('a second item with the same key is refused', async () => {
      const r = await client.models.Reading.create({ ...key('d1', 'A', 1), value: 0, unit: 'C' });
      assert.equal(r.data, null);
      assert.equal(r.errors?.[0]?.errorType, 'DynamoDB:ConditionalCheckFailedException', JSON.stringify(r.errors));
    });

    await t.test('list by partition key, with a sort key condition and direction', async () => {
      const all = ok(await client.models.Reading.list({ deviceId: 'd1' }), 'list d1');
      assert.deepEqual(all.map((r) => `${r.site}/${r.seq}`), ['A/1', 'A/2', 'B/1']);
      const desc = ok(await client.models.Reading.list({ deviceId: 'd1', sortDirection: 'DESC' }), 'list d1 DESC');
      assert.deepEqual(desc.map((r) => `${r.site}/${r.seq}`), ['B/1', 'A/2', 'A/1']);
      const siteA = ok(await client.models.Reading.list({ deviceId: 'd1', siteSeq: { beginsWith: { site: 'A' } } }), 'list d1 site A');
      assert.deepEqual(siteA.map((r) => r.seq), [1, 2]);
      const after = ok(await client.models.Reading.list({ deviceId: 'd1', siteSeq: { gt: { site: 'A', seq: 1 } } }), 'list d1 after A/1');
      assert.deepEqual(after.map((r) => `${r.site}/${r.seq}`), ['A/2', 'B/1']);
      const every = ok(await client.models.Reading.list(), 'list all');
      assert.equal(every.length, 4);
    });

    await t.test('update and delete by the composite key', async () => {
      const updated = ok(await client.models.Reading.update({ ...key('d1', 'B', 1), value: 9 }), 'update');
      assert.equal(updated.value, 9);
      assert.equal(updated.unit, 'C');
      assert.equal(ok(await client.models.Reading.get(key('d1', 'B', 1)), 'get updated').value, 9);
      const deleted = ok(await client.models.Reading.delete(key('d1', 'A', 1)), 'delete');
      assert.equal(deleted.value, 1.5);
      assert.equal(ok(await client.models.Reading.get(key('d1', 'A', 1)), 'get deleted'), null);
      // The other items under the same partition key are untouched.
      assert.equal(ok(await client.models.Reading.list({ deviceId: 'd1' }), 'list after delete').length, 2);
      const missing = await client.models.Reading.delete(key('d1', 'A', 1));
      assert.equal(missing.errors?.[0]?.errorType, 'DynamoDB:ConditionalCheckFailedException', JSON.stringify(missing));
    });

    await t.test('a single custom identifier (sku)', async () => {
      ok(await client.models.Product.create({ sku: `sku-${RUN}`, name: 'Lamp', price: 20 }), 'create product');
      assert.equal(ok(await client.models.Product.get({ sku: `sku-${RUN}` }), 'get product').name, 'Lamp');
      assert.equal(ok(await client.models.Product.update({ sku: `sku-${RUN}`, price: 25 }), 'update product').price, 25);
      ok(await client.models.Product.delete({ sku: `sku-${RUN}` }), 'delete product');
      assert.equal(ok(await client.models.Product.get({ sku: `sku-${RUN}` }), 'get deleted product'), null);
    });
  } catch (e) {
    if (sandbox) console.error(sandbox.logs());
    throw e;
  } finally {
    await sandbox?.stop();
    project.cleanup();
  }
});

test('data (b-relations): loaders over a composite identifier, both directions', { timeout: 180_000 }, async (t) => {
  const project = copyFixture('b-relations');
  let sandbox;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-data-rel-${process.pid}` });
    const { outputs, origin } = sandbox;
    Amplify.configure(amplifyConfig(outputs));
    const email = `rel-${RUN}@example.com`;
    await register(origin, email, PASSWORD);
    await signedIn(email, PASSWORD);
    const client = generateClient();

    let store;
    await t.test('a store (chain + storeNumber) with orders and a manager', async () => {
      store = ok(await client.models.Store.create({ chain: 'acme', storeNumber: 7, city: 'Lyon' }), 'create store');
      ok(await client.models.Store.create({ chain: 'acme', storeNumber: 8, city: 'Nice' }), 'create other store');
      for (const total of [10, 20]) {
        ok(await client.models.Order.create({ total, storeChain: 'acme', storeNumber: 7 }), `order ${total}`);
      }
      ok(await client.models.Order.create({ total: 99, storeChain: 'acme', storeNumber: 8 }), 'order elsewhere');
      ok(await client.models.Manager.create({ name: 'Mia', storeChain: 'acme', storeNumber: 7 }), 'manager');
    });

    await t.test('hasMany → items and hasOne → item through the lazy loaders', async () => {
      const loaded = ok(await client.models.Store.get({ chain: 'acme', storeNumber: 7 }), 'get store');
      const orders = ok(await loaded.orders(), 'store.orders()');
      assert.deepEqual(orders.map((o) => o.total).sort((a, b) => a - b), [10, 20]);
      const manager = ok(await loaded.manager(), 'store.manager()');
      assert.equal(manager.name, 'Mia');
    });

    await t.test('belongsTo → parent, from an order and from the manager', async () => {
      const orders = ok(await client.models.Order.list({ filter: { total: { eq: 20 } } }), 'list orders');
      assert.equal(orders.length, 1);
      const parent = ok(await orders[0].store(), 'order.store()');
      assert.deepEqual([parent.chain, parent.storeNumber, parent.city], ['acme', 7, 'Lyon']);
      const [manager] = ok(await client.models.Manager.list(), 'list managers');
      assert.equal(ok(await manager.store(), 'manager.store()').city, 'Lyon');
    });

    // The nested fields are the server's own relational resolvers (the lazy loaders above
    // are list queries); the integer `storeNumber` must match as a number.
    await t.test('a selection set across the relation, read with the API key', async () => {
      const nested = ok(
        await client.models.Store.get(
          { chain: 'acme', storeNumber: 8 },
          { authMode: 'apiKey', selectionSet: ['chain', 'storeNumber', 'city', 'orders.total', 'orders.store.city', 'manager.name'] },
        ),
        'selection set',
      );
      assert.equal(nested.city, 'Nice');
      assert.deepEqual(nested.orders.map((o) => [o.total, o.store.city]), [[99, 'Nice']]);
      assert.equal(nested.manager, null);
      const seven = ok(
        await client.models.Store.get({ chain: 'acme', storeNumber: 7 }, { selectionSet: ['city', 'orders.total', 'manager.name'] }),
        'selection set (store 7)',
      );
      assert.deepEqual(seven.orders.map((o) => o.total).sort((a, b) => a - b), [10, 20]);
      assert.equal(seven.manager.name, 'Mia');
    });
  } catch (e) {
    if (sandbox) console.error(sandbox.logs());
    throw e;
  } finally {
    await sandbox?.stop();
    project.cleanup();
  }
});
