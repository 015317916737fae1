// Helpers for the auth end-to-end tests: the client configuration that points aws-amplify at a
// sandbox, the sandbox outbox, RFC 6238 TOTP codes, and direct Cognito JSON calls.
import crypto from 'node:crypto';

import { parseAmplifyConfig } from 'aws-amplify/utils';

/**
 * The aws-amplify configuration for a Stratus backend: `amplify_outputs.json` parsed by the
 * client's own `parseAmplifyConfig`, plus the endpoints it cannot carry (the client never reads
 * a user-pool or identity-pool endpoint from the outputs; Stratus advertises them in
 * `custom.stratus`): `Auth.Cognito.userPoolEndpoint` and `Auth.Cognito.identityPoolEndpoint`.
 *
 * With `identityPool: false` the identity pool is left out of the configuration, so
 * `fetchAuthSession()` asks for tokens only (no GetId / GetCredentialsForIdentity).
 */
export function amplifyConfig(outputs, { identityPool = true } = {}) {
  const base = parseAmplifyConfig(outputs);
  const stratus = outputs.custom?.stratus ?? {};
  const cognito = { ...base.Auth?.Cognito, userPoolEndpoint: stratus.user_pool_endpoint };
  if (identityPool) {
    cognito.identityPoolEndpoint = stratus.identity_pool_endpoint;
  } else {
    delete cognito.identityPoolId;
    delete cognito.allowGuestAccess;
  }
  return { ...base, Auth: { ...base.Auth, Cognito: cognito } };
}

/** True when the identity pool endpoint answers as Cognito Identity (not the server's 404). */
export async function identityPoolServed(outputs) {
  const endpoint = outputs.custom?.stratus?.identity_pool_endpoint;
  if (!endpoint) return false;
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.GetId' },
    body: '{}',
  });
  const body = await res.json().catch(() => ({}));
  return !(res.status === 404 && body.errorType === 'NotFound');
}

/** The messages the sandbox "sent" to `to` (oldest first). */
export async function outbox(origin, to) {
  const res = await fetch(`${origin}/_stratus/outbox?to=${encodeURIComponent(to)}`);
  if (!res.ok) throw new Error(`GET /_stratus/outbox: HTTP ${res.status}`);
  return res.json();
}

/**
 * Runs `action`, then waits (bounded) for a new outbox message to `to` and returns its code.
 * Resolves with `{ result, message, code }`.
 */
export async function withCode(origin, to, action) {
  const before = (await outbox(origin, to)).length;
  const result = await action();
  const deadline = Date.now() + 5_000;
  for (;;) {
    const messages = await outbox(origin, to);
    if (messages.length > before) {
      const message = messages.at(-1);
      return { result, message, code: message.code };
    }
    if (Date.now() > deadline) throw new Error(`no new message to ${to} in the outbox`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** RFC 4648 base32 (no padding required). */
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${c}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (HMAC-SHA1, 30 s steps, 6 digits) of a base32 secret at time step `step`. */
export function totp(secretBase32, step = Math.floor(Date.now() / 30_000)) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

/** The current TOTP step. */
export const totpStep = () => Math.floor(Date.now() / 30_000);

/** POST a Cognito user-pool action directly (what the client sends, without the client). */
export async function cognito(endpoint, action, body) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: await res.json() };
}

/**
 * Copies tests/e2e/projects/<name>/amplify/ (the auth tests' own fixture projects) into a fresh
 * temporary project folder. Returns { dir, cleanup() }.
 */
export async function copyProject(name) {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const src = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'projects', name, 'amplify');
  if (!fs.existsSync(src)) throw new Error(`tests/e2e/projects/${name} has no amplify/ folder`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stratus-e2e-${name}-`));
  fs.cpSync(src, path.join(dir, 'amplify'), { recursive: true });
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Gives the Node process the `navigator.userAgent` a browser has: the client names a device
 * with it in ConfirmDevice and skips device registration without it (Node 20 has no
 * `navigator`).
 */
export function provideNavigator(userAgent) {
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent },
    configurable: true,
    writable: true,
  });
}
