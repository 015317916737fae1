// The sandbox's amplify_outputs.json configures the real aws-amplify v6 client: for each ex-*
// fixture, start `stratus sandbox`, Amplify.configure(outputs), generateClient(), and check the
// client exposes exactly the fixture's models with their CRUD functions.
import assert from 'node:assert/strict';
import https from 'node:https';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';

import { copyFixture, expectedJson } from '../lib/fixtures.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

const FIXTURES = ['ex-todo-owner', 'ex-blog-relations', 'ex-custom-function'];
const CRUD = ['create', 'get', 'update', 'delete', 'list'];

/** GET `url`; resolves with the status code once TLS and HTTP succeeded (any status). */
function httpsStatus(url) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.once('error', reject);
  });
}

for (const name of FIXTURES) {
  // One test per fixture (subtests inside), so that a sandbox that cannot start is reported as
  // a failed test rather than as cancelled ones.
  test(`${name}: amplify_outputs.json configures aws-amplify`, { timeout: 90_000 }, async (t) => {
    const project = copyFixture(name);
    let sandbox;
    try {
      sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-${name}-${process.pid}` });

      await t.test('outputs are schema version 1.5 with a /graphql data URL', () => {
        assert.equal(sandbox.outputs.version, '1.5');
        assert.equal(typeof sandbox.outputs.data?.url, 'string');
        assert.ok(sandbox.outputs.data.url.endsWith('/graphql'), `data.url = ${sandbox.outputs.data.url}`);
        assert.equal(typeof sandbox.caFile, 'string', 'custom.stratus.ca_file is missing');
      });

      await t.test('the HTTPS origin is trusted through NODE_EXTRA_CA_CERTS', async () => {
        assert.ok(
          process.env.NODE_EXTRA_CA_CERTS,
          'NODE_EXTRA_CA_CERTS is not set: run the tests through tests/e2e/run.mjs',
        );
        const status = await httpsStatus(sandbox.url);
        assert.ok(Number.isInteger(status), `no HTTP status from ${sandbox.url}`);
      });

      await t.test('generateClient() exposes exactly the fixture models with CRUD functions', () => {
        Amplify.configure(sandbox.outputs);
        const client = generateClient();
        const expected = Object.keys(expectedJson(name, 'model_introspection.json').models).sort();
        assert.ok(expected.length > 0, 'fixture has no models');
        assert.deepEqual(Object.keys(client.models).sort(), expected);
        for (const model of expected) {
          for (const op of CRUD) {
            assert.equal(typeof client.models[model][op], 'function', `client.models.${model}.${op} is not a function`);
          }
        }
      });
    } finally {
      await sandbox?.stop();
      project.cleanup();
    }
  });
}
