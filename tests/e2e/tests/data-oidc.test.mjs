// generateClient() with authMode 'oidc' against tests/e2e/projects/data-oidc, whose only
// authorization mode is an OpenID Connect provider: a tiny issuer runs in this process
// (discovery + JWKS over HTTP, RS256 keys and tokens made with jose). aws-amplify takes the
// OIDC token from the Auth token provider (`fetchAuthSession().tokens.accessToken`, see
// @aws-amplify/api-graphql internals/graphqlAuth.mjs: 'oidc' and 'userPool' share that path),
// so the test configures a custom tokenProvider that hands out the current test token.
// Covered: owner isolation by `sub`, a groups rule read from `cognito:groups`, refused tokens
// (expired, wrong audience: HTTP 401), and an onCreate subscription over the realtime WebSocket.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';

import { copyProject } from '../lib/auth.mjs';
import { errorTypes, ok, provideWebSocket, sleep } from '../lib/data.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

provideWebSocket();

const CLIENT_ID = 'stratus-e2e-client';

async function startIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'e2e-1', alg: 'RS256', use: 'sig' };
  const server = http.createServer((req, res) => {
    const body =
      req.url === '/.well-known/openid-configuration'
        ? { issuer: url, jwks_uri: `${url}/jwks.json` }
        : req.url === '/jwks.json'
          ? { keys: [jwk] }
          : null;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const now = () => Math.floor(Date.now() / 1000);
  const token = (sub, claims = {}) =>
    new SignJWT({ auth_time: now(), ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'e2e-1' })
      .setIssuer(url)
      .setSubject(sub)
      .setAudience(claims.aud ?? CLIENT_ID)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? now() + 3600)
      .sign(privateKey);
  return { url, token, now, close: () => server.close() };
}

// The client rewrites an HTTP 401 `UnauthorizedException` (and only that) into the message
// 'Unauthorized' with a recovery suggestion (api-graphql utils/errors/repackageAuthError.mjs).
async function refusedMessages(call) {
  let r;
  try {
    r = await call();
  } catch (e) {
    r = e;
  }
  assert.ok(r.errors?.every((e) => /authMode/.test(e.recoverySuggestion ?? '')), JSON.stringify(r));
  return r.errors.map((e) => e.message);
}

test('data (oidc): generateClient with authMode oidc against a local OpenID provider', { timeout: 180_000 }, async (t) => {
  const issuer = await startIssuer();
  const project = await copyProject('data-oidc');
  const resource = path.join(project.dir, 'amplify', 'data', 'resource.ts');
  fs.writeFileSync(resource, fs.readFileSync(resource, 'utf8').replace('STRATUS_E2E_ISSUER', issuer.url));
  let sandbox;
  let subscription;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-data-oidc-${process.pid}` });
    const { outputs } = sandbox;
    assert.equal(outputs.data.default_authorization_type, 'OPENID_CONNECT');
    let current;
    // The JWT shape the client expects of a token provider (what @aws-amplify/core's
    // decodeJWT returns): the payload and toString() giving the raw token.
    const jwt = (token) => ({ payload: decodeJwt(token), toString: () => token });
    const tokenProvider = { getTokens: async () => (current ? { accessToken: jwt(current) } : null) };
    const { parseAmplifyConfig } = await import('aws-amplify/utils');
    Amplify.configure(parseAmplifyConfig(outputs), { Auth: { tokenProvider } });
    const client = generateClient({ authMode: 'oidc' });
    const as = async (sub, claims) => {
      current = await issuer.token(sub, claims);
    };

    let ann;
    await t.test('owners by sub: each sees only their own notes', async () => {
      await as('ann');
      ann = ok(await client.models.Note.create({ text: 'ann 1' }), 'ann creates');
      assert.equal(ann.owner, 'ann');
      await as('ben');
      ok(await client.models.Note.create({ text: 'ben 1' }), 'ben creates');
      assert.deepEqual(ok(await client.models.Note.list(), 'ben lists').map((n) => n.text), ['ben 1']);
      assert.deepEqual(await errorTypes(() => client.models.Note.update({ id: ann.id, text: 'taken' })), ['Unauthorized']);
      await as('ann');
      assert.deepEqual(ok(await client.models.Note.list(), 'ann lists').map((n) => n.text), ['ann 1']);
      const got = ok(await client.models.Note.get({ id: ann.id }), 'ann gets');
      assert.equal(got.text, 'ann 1');
    });

    await t.test('groups from cognito:groups: an editor reads every note, writes none', async () => {
      await as('eve', { 'cognito:groups': ['Editors'] });
      const texts = ok(await client.models.Note.list(), 'editor lists').map((n) => n.text).sort();
      assert.deepEqual(texts, ['ann 1', 'ben 1']);
      assert.deepEqual(await errorTypes(() => client.models.Note.delete({ id: ann.id })), ['Unauthorized']);
    });

    await t.test('refused tokens: expired, another audience', async () => {
      await as('ann', { exp: issuer.now() - 10 });
      assert.deepEqual(await refusedMessages(() => client.models.Note.list()), ['Unauthorized']);
      await as('ann', { aud: 'another-client' });
      assert.deepEqual(await refusedMessages(() => client.models.Note.list()), ['Unauthorized']);
    });

    await t.test('onCreate over the realtime socket with an OIDC token', async () => {
      await as('ann');
      const events = [];
      const errors = [];
      subscription = client.models.Note.onCreate().subscribe({
        next: (item) => events.push(item),
        error: (e) => errors.push(e),
      });
      await sleep(1500);
      const annToken = current;
      await as('ben');
      ok(await client.models.Note.create({ text: 'ben live' }), 'ben creates while ann listens');
      current = annToken;
      ok(await client.models.Note.create({ text: 'ann live' }), 'ann creates while listening');
      const deadline = Date.now() + 10_000;
      while (events.length === 0 && Date.now() < deadline) await sleep(50);
      await sleep(500);
      assert.deepEqual(errors, []);
      assert.deepEqual(events.map((e) => e.text), ['ann live']);
    });
  } catch (e) {
    if (sandbox) console.error(sandbox.logs());
    throw e;
  } finally {
    subscription?.unsubscribe();
    await sandbox?.stop();
    issuer.close();
    project.cleanup();
  }
});
