// Passwordless sign-in (USER_AUTH) with the unmodified aws-amplify client, on
// tests/e2e/projects/passwordless (loginWith.email.otpLogin): the email code from the sandbox
// outbox as the first factor (preferred challenge and SELECT_CHALLENGE), the password as a
// chosen first factor, a wrong code, a sign-up without a password (autoSignIn, then codes only),
// and the custom flows' answer when the pool has no custom auth triggers.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { autoSignIn, confirmSignIn, confirmSignUp, fetchAuthSession, signIn, signOut, signUp } from 'aws-amplify/auth';

import { amplifyConfig, copyProject, outbox, withCode } from '../lib/auth.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!otp';

/** Runs `fn` with its timers unref'd (signUp's autoSignIn arms a 3-minute timer). */
async function withUnrefTimers(fn) {
  const before = globalThis.setTimeout;
  globalThis.setTimeout = (...args) => {
    const timer = before(...args);
    timer?.unref?.();
    return timer;
  };
  try {
    return await fn();
  } finally {
    globalThis.setTimeout = before;
  }
}

test('auth: passwordless email OTP sign-in through aws-amplify', { timeout: 120_000 }, async (t) => {
  const project = await copyProject('passwordless');
  let sandbox;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-auth-otp-${process.pid}` });
    const { outputs, origin } = sandbox;
    Amplify.configure(amplifyConfig(outputs, { identityPool: false }));
    const email = `otp-${RUN}@example.com`;

    await t.test('the outputs advertise email OTP', () => {
      assert.equal(Amplify.getConfig().Auth.Cognito.loginWith.email, true);
      assert.equal(outputs.auth.passwordless?.email_otp_enabled, true, JSON.stringify(outputs.auth));
    });

    await t.test('sign-up with the template callback message', async () => {
      const { message, code } = await withCode(origin, email, () =>
        signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } }),
      );
      assert.equal(message.subject, 'Confirm your Passwordless account');
      assert.equal(message.body, `Passwordless sign-up code: ${code}`);
      const confirmed = await confirmSignUp({ username: email, confirmationCode: code });
      assert.equal(confirmed.isSignUpComplete, true);
    });

    await t.test("signIn USER_AUTH with preferredChallenge 'EMAIL_OTP'", async () => {
      const { result, message, code } = await withCode(origin, email, () =>
        signIn({ username: email, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } }),
      );
      assert.equal(result.isSignedIn, false);
      assert.equal(result.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
      assert.equal(result.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
      assert.equal(message.trigger_source, 'CustomMessage_Authentication');
      assert.ok(message.body.includes(code));
      const done = await confirmSignIn({ challengeResponse: code });
      assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
      const session = await fetchAuthSession();
      assert.equal(session.tokens.idToken.payload.email, email);
      await signOut();
    });

    await t.test('a wrong code is refused, the right one then signs in', async () => {
      const { code } = await withCode(origin, email, () =>
        signIn({ username: email, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } }),
      );
      const wrong = code === '00000000' ? '11111111' : '00000000';
      await assert.rejects(confirmSignIn({ challengeResponse: wrong }), { name: 'CodeMismatchException' });
      const done = await confirmSignIn({ challengeResponse: code });
      assert.equal(done.isSignedIn, true);
      await signOut();
    });

    await t.test('SELECT_CHALLENGE: the first factor chosen in confirmSignIn (EMAIL_OTP)', async () => {
      const first = await signIn({ username: email, options: { authFlowType: 'USER_AUTH' } });
      assert.equal(first.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
      assert.deepEqual(first.nextStep.availableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
      const { result, code } = await withCode(origin, email, () => confirmSignIn({ challengeResponse: 'EMAIL_OTP' }));
      assert.equal(result.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
      assert.equal((await confirmSignIn({ challengeResponse: code })).isSignedIn, true);
      await signOut();
    });

    await t.test('SELECT_CHALLENGE: PASSWORD_SRP, then the password', async () => {
      const before = (await outbox(origin, email)).length;
      await signIn({ username: email, options: { authFlowType: 'USER_AUTH' } });
      const step = await confirmSignIn({ challengeResponse: 'PASSWORD_SRP' });
      assert.equal(step.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_PASSWORD');
      assert.equal((await confirmSignIn({ challengeResponse: PASSWORD })).isSignedIn, true);
      assert.equal((await outbox(origin, email)).length, before, 'no code is sent for a password sign-in');
      await signOut();
    });

    await t.test("signIn USER_AUTH with preferredChallenge 'PASSWORD'", async () => {
      const r = await signIn({
        username: email,
        password: PASSWORD,
        options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD' },
      });
      assert.equal(r.isSignedIn, true);
      await signOut();
      await assert.rejects(
        signIn({
          username: email,
          password: 'Wrong!pass1',
          options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD' },
        }),
        { name: 'NotAuthorizedException' },
      );
    });

    await t.test("autoSignIn with authFlowType 'USER_AUTH' (the ConfirmSignUp session)", async () => {
      const other = `otp-auto-${RUN}@example.com`;
      const { result, code } = await withCode(origin, other, () =>
        withUnrefTimers(() =>
          signUp({
            username: other,
            password: PASSWORD,
            options: { userAttributes: { email: other }, autoSignIn: { authFlowType: 'USER_AUTH' } },
          }),
        ),
      );
      assert.equal(result.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
      const confirmed = await confirmSignUp({ username: other, confirmationCode: code });
      assert.equal(confirmed.nextStep.signUpStep, 'COMPLETE_AUTO_SIGN_IN');
      const signedIn = await autoSignIn();
      assert.deepEqual(signedIn, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
      const session = await fetchAuthSession();
      assert.equal(session.tokens.idToken.payload.email, other);
      await signOut();
    });

    await t.test('signUp without a password, confirmSignUp, autoSignIn (USER_AUTH), then EMAIL_OTP sign-in', async () => {
      const nopw = `otp-nopw-${RUN}@example.com`;
      const { result, code } = await withCode(origin, nopw, () =>
        withUnrefTimers(() =>
          signUp({
            username: nopw,
            options: { userAttributes: { email: nopw }, autoSignIn: { authFlowType: 'USER_AUTH' } },
          }),
        ),
      );
      assert.equal(result.isSignUpComplete, false);
      assert.equal(result.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
      const confirmed = await confirmSignUp({ username: nopw, confirmationCode: code });
      assert.equal(confirmed.nextStep.signUpStep, 'COMPLETE_AUTO_SIGN_IN');
      // The client debounces autoSignIn() by 300 ms (utils/signUpHelpers.ts) and silently drops
      // a call that comes sooner after the previous subtest's: wait that out.
      await new Promise((r) => setTimeout(r, 400));
      assert.deepEqual(await autoSignIn(), { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
      assert.equal((await fetchAuthSession()).tokens.idToken.payload.email, nopw);
      await signOut();

      // The user has no password: the only first factor offered is the email code.
      const first = await signIn({ username: nopw, options: { authFlowType: 'USER_AUTH' } });
      assert.equal(first.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
      assert.deepEqual(first.nextStep.availableChallenges, ['EMAIL_OTP']);
      const { result: step, code: otp } = await withCode(origin, nopw, () => confirmSignIn({ challengeResponse: 'EMAIL_OTP' }));
      assert.equal(step.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
      assert.equal((await confirmSignIn({ challengeResponse: otp })).isSignedIn, true);
      await signOut();
      // A password sign-in cannot succeed for this user.
      await assert.rejects(signIn({ username: nopw, password: PASSWORD }), { name: 'NotAuthorizedException' });
    });

    await t.test('CUSTOM_WITHOUT_SRP / CUSTOM_WITH_SRP: the pool has no custom auth triggers', async () => {
      const message = 'Custom auth lambda trigger is not configured for the user pool.';
      await assert.rejects(signIn({ username: email, options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } }), {
        name: 'InvalidParameterException',
        message,
      });
      await assert.rejects(
        signIn({ username: email, password: PASSWORD, options: { authFlowType: 'CUSTOM_WITH_SRP' } }),
        { name: 'InvalidParameterException', message },
      );
    });
  } finally {
    await sandbox?.stop();
    await project.cleanup();
  }
});
