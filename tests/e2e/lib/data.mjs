// Helpers shared by the data e2e tests (tests/data*.test.mjs): client results, test users
// signed up through the sandbox outbox and signed in with aws-amplify, Node's WebSocket.
import assert from 'node:assert/strict';

import { confirmSignUp, fetchAuthSession, signIn, signOut, signUp } from 'aws-amplify/auth';
import { WebSocket } from 'ws';

import { withCode } from './auth.mjs';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Node 20 has no WebSocket; `ws` speaks the same API (and trusts NODE_EXTRA_CA_CERTS). */
export function provideWebSocket() {
  globalThis.WebSocket ??= WebSocket;
}

/** The data of a client result, failing with its errors. */
export function ok(result, what) {
  assert.equal(result.errors, undefined, `${what}: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** The errorTypes of a client result (or of what it threw). */
export async function errorTypes(call) {
  try {
    const r = await call();
    return (r.errors ?? []).map((e) => e.errorType);
  } catch (e) {
    return (e.errors ?? [e]).map((x) => x.errorType ?? x.name);
  }
}

/** Signs `email` up (email attribute) and confirms it with the code from the outbox. */
export async function register(origin, email, password) {
  const { code } = await withCode(origin, email, () =>
    signUp({ username: email, password, options: { userAttributes: { email } } }),
  );
  assert.equal((await confirmSignUp({ username: email, confirmationCode: code })).isSignUpComplete, true);
}

/** Signs whoever is signed in out, signs `email` in and returns the session's tokens. */
export async function signedIn(email, password) {
  await signOut();
  assert.equal((await signIn({ username: email, password })).isSignedIn, true);
  return (await fetchAuthSession()).tokens;
}

/** Subscribes to `observable`; its items, errors and completion arrive in the returned record
 * (`subscription.unsubscribe()` ends it). */
export function listen(observable) {
  const seen = { events: [], errors: [], completed: false };
  seen.subscription = observable.subscribe({
    next: (item) => seen.events.push(item),
    error: (e) => seen.errors.push(e),
    complete: () => {
      seen.completed = true;
    },
  });
  return seen;
}

/** Waits (polling, bounded by `ms`) until `check()` holds; fails naming `what`. */
export async function until(check, what, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(50);
  }
}
