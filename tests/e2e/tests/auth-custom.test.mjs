// Custom authentication (CUSTOM_AUTH) with the unmodified aws-amplify client, on
// tests/e2e/projects/custom-auth: defineAuth's DefineAuthChallenge / CreateAuthChallenge /
// VerifyAuthChallengeResponse triggers are TypeScript handlers that the sandbox runs on Node.js
// (crates/functions). The question and its answer come from the handlers (they change with each
// attempt), so a passing sign-in proves the triggers ran.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { confirmSignIn, confirmSignUp, fetchAuthSession, signIn, signOut, signUp } from 'aws-amplify/auth';

import { amplifyConfig, copyProject, withCode } from '../lib/auth.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!custom';

/** The answer to the handlers' question `What is A + B?`. */
function answer(additionalInfo) {
  const m = /^What is (\d+) \+ (\d+)\?$/.exec(additionalInfo?.question ?? '');
  assert.ok(m, `unexpected challenge parameters ${JSON.stringify(additionalInfo)}`);
  return String(Number(m[1]) + Number(m[2]));
}

test('auth: CUSTOM_AUTH driven by the user\'s trigger functions through aws-amplify', { timeout: 180_000 }, async (t) => {
  const project = await copyProject('custom-auth');
  let sandbox;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-auth-custom-${process.pid}` });
    const { outputs, origin } = sandbox;
    Amplify.configure(amplifyConfig(outputs, { identityPool: false }));
    const email = `custom-${RUN}@example.com`;

    await t.test('sign up and confirm a user', async () => {
      const { code } = await withCode(origin, email, () =>
        signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } }),
      );
      const confirmed = await confirmSignUp({ username: email, confirmationCode: code });
      assert.equal(confirmed.isSignUpComplete, true);
    });

    await t.test('CUSTOM_WITHOUT_SRP: the question from CreateAuthChallenge, answered', async () => {
      const started = await signIn({ username: email, options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
      assert.equal(started.isSignedIn, false);
      assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
      // The handler's public parameters, plus the USERNAME Cognito adds (the user's sub in an
      // email sign-in pool).
      const { USERNAME, ...publicParameters } = started.nextStep.additionalInfo;
      assert.deepEqual(publicParameters, { question: 'What is 2 + 10?', attempt: '1', email });
      assert.match(USERNAME, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const done = await confirmSignIn({ challengeResponse: answer(started.nextStep.additionalInfo) });
      assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
      const session = await fetchAuthSession();
      assert.equal(session.tokens.idToken.payload.email, email);
      assert.equal(session.tokens.idToken.payload['cognito:username'], USERNAME);
      await signOut();
    });

    await t.test('a wrong answer gets the next question; three wrong answers end the sign-in', async () => {
      const started = await signIn({ username: email, options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
      assert.equal(started.nextStep.additionalInfo.attempt, '1');
      const second = await confirmSignIn({ challengeResponse: 'not a number' });
      assert.equal(second.isSignedIn, false);
      assert.equal(second.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
      assert.equal(second.nextStep.additionalInfo.attempt, '2');
      assert.equal(second.nextStep.additionalInfo.question, 'What is 3 + 20?');
      const third = await confirmSignIn({ challengeResponse: '0' });
      assert.equal(third.nextStep.additionalInfo.attempt, '3');
      await assert.rejects(confirmSignIn({ challengeResponse: '0' }), {
        name: 'NotAuthorizedException',
        message: 'Incorrect username or password.',
      });
      // A new sign-in starts again from the first question.
      const again = await signIn({ username: email, options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
      assert.equal(again.nextStep.additionalInfo.attempt, '1');
      const done = await confirmSignIn({ challengeResponse: answer(again.nextStep.additionalInfo) });
      assert.equal(done.isSignedIn, true);
      await signOut();
    });

    await t.test('CUSTOM_WITH_SRP: the password (SRP) first, then the custom challenge', async () => {
      const started = await signIn({
        username: email,
        password: PASSWORD,
        options: { authFlowType: 'CUSTOM_WITH_SRP' },
      });
      assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
      assert.equal(started.nextStep.additionalInfo.attempt, '1');
      const done = await confirmSignIn({ challengeResponse: answer(started.nextStep.additionalInfo) });
      assert.equal(done.isSignedIn, true);
      const session = await fetchAuthSession();
      assert.equal(session.tokens.accessToken.payload.username, session.tokens.idToken.payload['cognito:username']);
      await signOut();
    });

    await t.test('CUSTOM_WITH_SRP with a wrong password fails before any question', async () => {
      await assert.rejects(
        signIn({ username: email, password: 'Wr0ng!password', options: { authFlowType: 'CUSTOM_WITH_SRP' } }),
        { name: 'NotAuthorizedException' },
      );
    });

    await t.test('an unknown user gets no tokens', async () => {
      await assert.rejects(
        signIn({ username: `nobody-${RUN}@example.com`, options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } }),
        { name: 'NotAuthorizedException' },
      );
    });

    await t.test('a trigger that throws surfaces as UserLambdaValidationException', async () => {
      await signIn({ username: email, options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
      // A wrong answer makes DefineAuthChallenge ask again; CreateAuthChallenge then reads the
      // clientMetadata of RespondToAuthChallenge and throws.
      await assert.rejects(
        confirmSignIn({ challengeResponse: 'wrong', options: { clientMetadata: { explode: 'yes' } } }),
        {
          name: 'UserLambdaValidationException',
          message: 'CreateAuthChallenge failed with error the question machine is broken.',
        },
      );
    });

    await t.test('saving a handler file reloads the function', async () => {
      const file = path.join(project.dir, 'amplify', 'auth', 'create-auth-challenge', 'questions.ts');
      const source = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, source.replace('What is ${a} + ${b}?', 'What is ${a} + ${b}?!'));
      const deadline = Date.now() + 20_000;
      let question;
      for (;;) {
        const started = await signIn({ username: email, options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
        question = started.nextStep.additionalInfo.question;
        if (question.endsWith('?!') || Date.now() > deadline) break;
        // Leave the pending sign-in (the next signIn starts a new one) and retry shortly.
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(question, 'What is 2 + 10?!');
    });
  } finally {
    await sandbox?.stop();
    await project.cleanup();
  }
});
