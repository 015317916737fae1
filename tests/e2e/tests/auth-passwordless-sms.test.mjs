// Passwordless sign-in with SMS codes (USER_AUTH, SMS_OTP) with the unmodified aws-amplify
// client, on tests/e2e/projects/passwordless-sms (loginWith.phone.otpLogin). The SMS land in
// the sandbox outbox.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { confirmSignIn, confirmSignUp, fetchAuthSession, signIn, signOut, signUp } from 'aws-amplify/auth';

import { amplifyConfig, copyProject, withCode } from '../lib/auth.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

const PASSWORD = 'Passw0rd!sms';

test('auth: passwordless SMS OTP sign-in through aws-amplify', { timeout: 120_000 }, async (t) => {
  const project = await copyProject('passwordless-sms');
  let sandbox;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-auth-sms-${process.pid}` });
    const { outputs, origin } = sandbox;
    Amplify.configure(amplifyConfig(outputs, { identityPool: false }));
    // A unique E.164 number per run.
    const phone = `+1555${String(process.pid % 10_000).padStart(4, '0')}${String(Date.now() % 1000).padStart(3, '0')}`;

    await t.test('the outputs advertise SMS OTP', () => {
      assert.equal(outputs.auth.passwordless?.sms_otp_enabled, true, JSON.stringify(outputs.auth));
    });

    await t.test('sign-up by SMS with the template callback message', async () => {
      const { result, message, code } = await withCode(origin, phone, () =>
        signUp({ username: phone, password: PASSWORD, options: { userAttributes: { phone_number: phone } } }),
      );
      assert.equal(result.nextStep.codeDeliveryDetails.deliveryMedium, 'SMS');
      assert.equal(message.channel, 'SMS');
      assert.equal(message.body, `Your SMS sign-up code is ${code}`);
      assert.equal((await confirmSignUp({ username: phone, confirmationCode: code })).isSignUpComplete, true);
    });

    await t.test("signIn USER_AUTH with preferredChallenge 'SMS_OTP'", async () => {
      const { result, message, code } = await withCode(origin, phone, () =>
        signIn({ username: phone, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'SMS_OTP' } }),
      );
      assert.equal(result.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_SMS_CODE');
      assert.equal(result.nextStep.codeDeliveryDetails.deliveryMedium, 'SMS');
      assert.equal(message.channel, 'SMS');
      assert.equal(message.trigger_source, 'CustomMessage_Authentication');
      await assert.rejects(confirmSignIn({ challengeResponse: code === '000000' ? '111111' : '000000' }), {
        name: 'CodeMismatchException',
      });
      assert.deepEqual(await confirmSignIn({ challengeResponse: code }), {
        isSignedIn: true,
        nextStep: { signInStep: 'DONE' },
      });
      assert.equal((await fetchAuthSession()).tokens.idToken.payload.phone_number, phone);
      await signOut();
    });

    await t.test('SELECT_CHALLENGE offers SMS_OTP, not EMAIL_OTP', async () => {
      const first = await signIn({ username: phone, options: { authFlowType: 'USER_AUTH' } });
      assert.equal(first.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
      assert.deepEqual(first.nextStep.availableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'SMS_OTP']);
      const { result, code } = await withCode(origin, phone, () => confirmSignIn({ challengeResponse: 'SMS_OTP' }));
      assert.equal(result.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_SMS_CODE');
      assert.equal((await confirmSignIn({ challengeResponse: code })).isSignedIn, true);
      await signOut();
    });
  } finally {
    await sandbox?.stop();
    await project.cleanup();
  }
});
