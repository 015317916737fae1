// The user pool's Lambda triggers (defineAuth `triggers`, handlers in TypeScript typed with
// 'aws-lambda') with the unmodified aws-amplify client, on tests/e2e/projects/auth-triggers:
// preSignUp auto-confirming one domain and refusing another, customMessage rewriting the
// sign-up and reset emails, postConfirmation putting users in a group that
// preTokenGeneration adds to the tokens (with claims of its own, also on refresh),
// preAuthentication refusing an account, postAuthentication seeing sign-ins, and userMigration
// bringing users of an old directory in at sign-in and at password reset.
//
// The handlers write what they receive to /tmp/stratus-e2e-auth-triggers/<user pool id>/
// (Lambda's writable /tmp), which this test reads.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import {
  confirmResetPassword,
  confirmSignUp,
  fetchAuthSession,
  resetPassword,
  signIn,
  signOut,
  signUp,
} from 'aws-amplify/auth';

import { amplifyConfig, copyProject, outbox, withCode } from '../lib/auth.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!trig';

/** The events a handler recorded (oldest first). */
function journal(dir, trigger) {
  const file = path.join(dir, `${trigger}.jsonl`);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** The recorded events of `trigger` about `email`. */
function eventsFor(dir, trigger, email) {
  return journal(dir, trigger).filter(
    (e) => e.request?.userAttributes?.email === email || e.userName === email,
  );
}

test('auth: user-pool Lambda triggers through aws-amplify', { timeout: 180_000 }, async (t) => {
  const project = await copyProject('auth-triggers');
  let sandbox;
  let stateDir;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-auth-triggers-${process.pid}` });
    const { outputs, origin } = sandbox;
    stateDir = path.join('/tmp', 'stratus-e2e-auth-triggers', outputs.auth.user_pool_id);
    fs.rmSync(stateDir, { recursive: true, force: true });
    Amplify.configure(amplifyConfig(outputs, { identityPool: false }));

    await t.test('preSignUp auto-confirms: signUp is complete without a code', async () => {
      const email = `ann-${RUN}@auto.example.com`;
      const result = await signUp({
        username: email,
        password: PASSWORD,
        options: { userAttributes: { email }, validationData: { invite: 'X-1' }, clientMetadata: { from: 'e2e' } },
      });
      assert.equal(result.isSignUpComplete, true, JSON.stringify(result));
      assert.equal(result.nextStep.signUpStep, 'DONE');
      assert.deepEqual(await outbox(origin, email), [], 'no confirmation code is sent');

      const [event] = eventsFor(stateDir, 'pre-sign-up', email);
      assert.ok(event, 'pre-sign-up ran');
      assert.equal(event.triggerSource, 'PreSignUp_SignUp');
      assert.equal(event.userPoolId, outputs.auth.user_pool_id);
      assert.equal(event.callerContext.clientId, outputs.auth.user_pool_client_id);
      assert.equal(event.userName, result.userId);
      assert.deepEqual(event.request.validationData, { invite: 'X-1' });
      assert.deepEqual(event.request.clientMetadata, { from: 'e2e' });
      // The auto-confirmation ran post-confirmation too.
      const [confirmed] = eventsFor(stateDir, 'post-confirmation', email);
      assert.equal(confirmed?.triggerSource, 'PostConfirmation_ConfirmSignUp');

      const signedIn = await signIn({ username: email, password: PASSWORD });
      assert.equal(signedIn.isSignedIn, true);
      const { tokens } = await fetchAuthSession();
      assert.equal(tokens.idToken.payload.email_verified, true);
      assert.deepEqual(tokens.idToken.payload['cognito:groups'], ['members']);
      await signOut();
    });

    await t.test('preSignUp refuses: the client surfaces UserLambdaValidationException', async () => {
      const email = `eve-${RUN}@blocked.example.com`;
      await assert.rejects(signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } }), {
        name: 'UserLambdaValidationException',
        message: 'PreSignUp failed with error sign-ups from blocked.example.com are closed.',
      });
      assert.deepEqual(await outbox(origin, email), []);
      // Not created: signing in answers as for any unknown name.
      await assert.rejects(signIn({ username: email, password: PASSWORD }), { name: 'NotAuthorizedException' });
    });

    const email = `bob-${RUN}@example.com`;

    await t.test('customMessage rewrites the sign-up email in the outbox', async () => {
      const { result, message, code } = await withCode(origin, email, () =>
        signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } }),
      );
      assert.equal(result.isSignUpComplete, false);
      assert.equal(result.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
      assert.equal(message.trigger_source, 'CustomMessage_SignUp');
      assert.equal(message.subject, 'Welcome to Triggers');
      assert.equal(message.body, `Hello ${email}, your code is ${code}`);
      const [event] = eventsFor(stateDir, 'custom-message', email);
      assert.equal(event.request.codeParameter, '{####}');
      assert.equal(event.request.userAttributes['cognito:user_status'], 'UNCONFIRMED');

      const confirmed = await confirmSignUp({ username: email, confirmationCode: code });
      assert.equal(confirmed.isSignUpComplete, true);
    });

    await t.test('postConfirmation puts the user in a group preTokenGeneration adds to the tokens', async () => {
      const [event] = eventsFor(stateDir, 'post-confirmation', email);
      assert.ok(event, 'post-confirmation ran');
      assert.equal(event.triggerSource, 'PostConfirmation_ConfirmSignUp');
      assert.equal(event.request.userAttributes['cognito:user_status'], 'CONFIRMED');
      assert.equal(event.request.userAttributes.email_verified, 'true');

      const signedIn = await signIn({ username: email, password: PASSWORD });
      assert.equal(signedIn.isSignedIn, true);
      const { tokens } = await fetchAuthSession();
      const id = tokens.idToken.payload;
      assert.deepEqual(id['cognito:groups'], ['members']);
      assert.equal(id.tier, 'gold');
      assert.equal(id.token_source, 'TokenGeneration_Authentication');
      assert.deepEqual(tokens.accessToken.payload['cognito:groups'], ['members']);
      assert.equal(tokens.accessToken.payload.tier, undefined, 'V1_0 claims go to the id token only');

      const generated = eventsFor(stateDir, 'pre-token-generation', email).at(-1);
      assert.equal(generated.triggerSource, 'TokenGeneration_Authentication');
      assert.deepEqual(generated.request.groupConfiguration.groupsToOverride, []);
      const [post] = eventsFor(stateDir, 'post-authentication', email).slice(-1);
      assert.equal(post?.triggerSource, 'PostAuthentication_Authentication');
      const [pre] = eventsFor(stateDir, 'pre-authentication', email).slice(-1);
      assert.equal(pre?.triggerSource, 'PreAuthentication_Authentication');
      assert.equal(pre.request.userNotFound, false);
    });

    await t.test('preTokenGeneration runs again on refresh', async () => {
      const { tokens } = await fetchAuthSession({ forceRefresh: true });
      assert.equal(tokens.idToken.payload.token_source, 'TokenGeneration_RefreshTokens');
      assert.deepEqual(tokens.idToken.payload['cognito:groups'], ['members']);
      await signOut();
    });

    await t.test('customMessage rewrites the password reset email', async () => {
      const { result, message, code } = await withCode(origin, email, () => resetPassword({ username: email }));
      assert.equal(result.nextStep.resetPasswordStep, 'CONFIRM_RESET_PASSWORD_WITH_CODE');
      assert.equal(message.trigger_source, 'CustomMessage_ForgotPassword');
      assert.equal(message.subject, 'Reset your Triggers password');
      assert.equal(message.body, `Your reset code: ${code}`);
      await confirmResetPassword({ username: email, confirmationCode: code, newPassword: `${PASSWORD}2` });
      const last = eventsFor(stateDir, 'post-confirmation', email).at(-1);
      assert.equal(last.triggerSource, 'PostConfirmation_ConfirmForgotPassword');
    });

    await t.test('preAuthentication refuses a suspended account', async () => {
      const suspended = `suspended-${RUN}@auto.example.com`;
      const result = await signUp({ username: suspended, password: PASSWORD, options: { userAttributes: { email: suspended } } });
      assert.equal(result.isSignUpComplete, true);
      await assert.rejects(signIn({ username: suspended, password: PASSWORD }), {
        name: 'UserLambdaValidationException',
        message: 'PreAuthentication failed with error this account is suspended.',
      });
      assert.equal(eventsFor(stateDir, 'post-authentication', suspended).length, 0);
    });

    await t.test('userMigration brings a user of the old directory in at sign-in', async () => {
      const legacy = 'old-timer@legacy.example.com';
      await assert.rejects(
        signIn({ username: legacy, password: 'wrong-Passw0rd', options: { authFlowType: 'USER_PASSWORD_AUTH' } }),
        { name: 'NotAuthorizedException' },
      );
      const signedIn = await signIn({
        username: legacy,
        password: 'Legacy-Passw0rd',
        options: { authFlowType: 'USER_PASSWORD_AUTH' },
      });
      assert.equal(signedIn.isSignedIn, true, JSON.stringify(signedIn));
      const { tokens } = await fetchAuthSession();
      assert.equal(tokens.idToken.payload.email, legacy);
      assert.equal(tokens.idToken.payload.name, 'Old Timer');
      const events = journal(stateDir, 'user-migration').filter((e) => e.userName === legacy);
      assert.deepEqual(
        events.map((e) => e.triggerSource),
        ['UserMigration_Authentication', 'UserMigration_Authentication'],
      );
      await signOut();
      // Now an ordinary user: SRP works, no migration.
      assert.equal((await signIn({ username: legacy, password: 'Legacy-Passw0rd' })).isSignedIn, true);
      assert.equal(journal(stateDir, 'user-migration').filter((e) => e.userName === legacy).length, 2);
      await signOut();
    });

    await t.test('userMigration brings a user in at password reset', async () => {
      const legacy = 'forgetful@legacy.example.com';
      const { message, code } = await withCode(origin, legacy, () => resetPassword({ username: legacy }));
      assert.equal(message.subject, 'Reset your Triggers password');
      const [event] = journal(stateDir, 'user-migration').filter((e) => e.userName === legacy);
      assert.equal(event.triggerSource, 'UserMigration_ForgotPassword');
      await confirmResetPassword({ username: legacy, confirmationCode: code, newPassword: 'Remembered-Now1' });
      assert.equal((await signIn({ username: legacy, password: 'Remembered-Now1' })).isSignedIn, true);
      await signOut();
    });
  } catch (error) {
    if (sandbox) console.error(sandbox.logs());
    throw error;
  } finally {
    await sandbox?.stop();
    project.cleanup();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
