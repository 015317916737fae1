// Device tracking with the unmodified aws-amplify client, on a copy of examples/notes (MFA
// OPTIONAL with TOTP): the client registers the device after sign-in (ConfirmDevice), then
// rememberDevice / fetchDevices / forgetDevice; a later sign-in from the remembered device
// goes through DEVICE_SRP_AUTH and skips TOTP; a device forgotten elsewhere makes the client
// drop its keys and retry ("Device does not exist.").
//
// Node 20 has no `navigator`; the client needs `navigator.userAgent` as the device name and
// skips device registration without it, so the test provides one (provideNavigator).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Amplify } from 'aws-amplify';
import {
  confirmSignIn,
  confirmSignUp,
  deleteUser,
  fetchAuthSession,
  fetchDevices,
  forgetDevice,
  rememberDevice,
  setUpTOTP,
  signIn,
  signOut,
  signUp,
  updateMFAPreference,
  verifyTOTPSetup,
} from 'aws-amplify/auth';

import { amplifyConfig, cognito, provideNavigator, totp, totpStep, withCode } from '../lib/auth.mjs';
import { copyExample } from '../lib/fixtures.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const PASSWORD = 'Passw0rd!dev';
const AGENT = 'Mozilla/5.0 (stratus-e2e devices)';

/** The device key the current tokens are bound to (the access token's `device_key`). */
async function currentDeviceKey() {
  const { tokens } = await fetchAuthSession();
  return tokens.accessToken.payload.device_key;
}

test('auth: devices through aws-amplify', { timeout: 120_000 }, async (t) => {
  provideNavigator(AGENT);
  const project = copyExample('notes');
  let sandbox;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-auth-dev-${process.pid}` });
    const { outputs, origin } = sandbox;
    const endpoint = outputs.custom.stratus.user_pool_endpoint;
    Amplify.configure(amplifyConfig(outputs, { identityPool: false }));
    const email = `dev-${RUN}@example.com`;
    let lastStep = 0;
    let secret;
    // Each step is accepted once and the server allows one step of skew: wait until the
    // next unused step is at most one ahead.
    const nextTotp = async () => {
      while (totpStep() < lastStep) await new Promise((r) => setTimeout(r, 250));
      const step = Math.max(totpStep(), lastStep + 1);
      lastStep = step;
      return totp(secret, step);
    };
    let device;

    await t.test('sign-in registers the device (ConfirmDevice) and fetchDevices lists it', async () => {
      const { code } = await withCode(origin, email, () =>
        signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } }),
      );
      await confirmSignUp({ username: email, confirmationCode: code });
      assert.equal((await signIn({ username: email, password: PASSWORD })).isSignedIn, true);
      device = await currentDeviceKey();
      assert.match(device, /^us-east-1_[0-9a-f-]{36}$/);
      const devices = await fetchDevices();
      assert.equal(devices.length, 1);
      assert.equal(devices[0].id, device);
      assert.equal(devices[0].name, AGENT);
      assert.equal(devices[0].attributes['dev:device_remembered_status'], 'not_remembered');
      assert.ok(devices[0].createDate instanceof Date);
      assert.ok(Math.abs(devices[0].createDate.getTime() - Date.now()) < 60_000, 'dates are epoch seconds');
    });

    await t.test('TOTP is set up and preferred', async () => {
      const setup = await setUpTOTP();
      secret = setup.sharedSecret;
      await verifyTOTPSetup({ code: await nextTotp() });
      await updateMFAPreference({ totp: 'PREFERRED' });
    });

    await t.test('rememberDevice marks it remembered', async () => {
      await rememberDevice();
      const [d] = await fetchDevices();
      assert.equal(d.id, device);
      assert.equal(d.attributes['dev:device_remembered_status'], 'remembered');
    });

    await t.test('signing in again from the remembered device: device SRP, no TOTP code asked', async () => {
      await signOut();
      const r = await signIn({ username: email, password: PASSWORD });
      assert.deepEqual(r, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
      assert.equal(await currentDeviceKey(), device, 'the same device, not a new one');
      assert.equal((await fetchDevices()).length, 1);
    });

    await t.test('forgetDevice: the next sign-in asks for TOTP and registers a new device', async () => {
      await forgetDevice();
      assert.deepEqual(await fetchDevices(), []);
      await signOut();
      const r = await signIn({ username: email, password: PASSWORD });
      assert.equal(r.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
      assert.equal((await confirmSignIn({ challengeResponse: await nextTotp() })).isSignedIn, true);
      const fresh = await currentDeviceKey();
      assert.notEqual(fresh, device);
      const devices = await fetchDevices();
      assert.deepEqual(devices.map((d) => d.id), [fresh]);
      device = fresh;
    });

    await t.test('a device forgotten elsewhere: the client drops its keys and signs in again', async () => {
      const { tokens } = await fetchAuthSession();
      const forgot = await cognito(endpoint, 'ForgetDevice', {
        AccessToken: tokens.accessToken.toString(),
        DeviceKey: device,
      });
      assert.equal(forgot.status, 200);
      await signOut();
      // The stored device key now answers "Device does not exist."; the client retries without it.
      const r = await signIn({ username: email, password: PASSWORD });
      assert.equal(r.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
      assert.equal((await confirmSignIn({ challengeResponse: await nextTotp() })).isSignedIn, true);
      assert.notEqual(await currentDeviceKey(), device);
    });

    await t.test('forgetDevice({ device }) forgets another device by id; deleteUser', async () => {
      const [current] = await fetchDevices();
      await forgetDevice({ device: { id: current.id } });
      assert.deepEqual(await fetchDevices(), []);
      await deleteUser();
    });
  } finally {
    await sandbox?.stop();
    project.cleanup();
  }
});
