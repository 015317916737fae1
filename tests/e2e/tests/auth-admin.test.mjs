// The sandbox's admin actions through the real AWS SDK (`@aws-sdk/client-cognito-identity-provider`)
// signed with the sandbox admin key (`.amplify/stratus/<identifier>/admin-credentials.json`), on a
// copy of examples/notes (email sign-in, groups Admins / Editors): users created, read, confirmed,
// given passwords, disabled and enabled, put into and out of groups, listed with filters and
// pages, signed out everywhere and deleted; the aws-amplify client's view of each (the
// NEW_PASSWORD_REQUIRED sign-in of a created user, the refused sign-in of a disabled one, tokens
// refused after disabling and after AdminUserGlobalSignOut); invitations re-sent with
// MessageAction RESEND; and the error names of the unhappy paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  ListGroupsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, confirmSignUp, fetchAuthSession, signIn, signOut, signUp } from 'aws-amplify/auth';

import { amplifyConfig, cognito, outbox, withCode } from '../lib/auth.mjs';
import { copyExample } from '../lib/fixtures.mjs';
import { startSandbox } from '../lib/sandbox.mjs';
import { adminCredentials, rejectsWith } from '../lib/storage.mjs';

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const address = (who) => `adm-${who}-${RUN}@example.com`;
const TEMP = 'Temp0rary!pass';
const FINAL = 'Passw0rd!final';

/** The attributes of a UserType / AdminGetUser answer as an object. */
const attrs = (list) => Object.fromEntries((list ?? []).map((a) => [a.Name, a.Value]));

/** The client's current access token (signed in). */
async function accessToken() {
  const { tokens } = await fetchAuthSession();
  assert.ok(tokens?.accessToken, 'signed in');
  return tokens.accessToken.toString();
}

test('auth: admin actions through @aws-sdk/client-cognito-identity-provider', { timeout: 180_000 }, async (t) => {
  const project = copyExample('notes');
  let sandbox;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier: `e2e-auth-admin-${process.pid}` });
    const { outputs, origin } = sandbox;
    const endpoint = outputs.custom.stratus.user_pool_endpoint;
    const UserPoolId = outputs.auth.user_pool_id;
    const key = adminCredentials(project.dir);
    const region = key.region;
    const admin = new CognitoIdentityProviderClient({
      region,
      endpoint,
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    });
    const send = (Command, input) => admin.send(new Command({ UserPoolId, ...input }));
    Amplify.configure(amplifyConfig(outputs, { identityPool: false }));

    await t.test('the admin key file names this pool and endpoint', () => {
      assert.equal(key.userPoolId, UserPoolId);
      assert.equal(key.userPoolEndpoint, endpoint);
      assert.match(key.accessKeyId, /^AKIA[A-Z0-9]{16}$/);
      assert.equal(key.secretAccessKey.length, 40);
    });

    const quiet = address('quiet');
    const invited = address('invited');
    const resent = address('resent');

    await t.test('AdminCreateUser with TemporaryPassword and MessageAction SUPPRESS sends nothing', async () => {
      const out = await send(AdminCreateUserCommand, {
        Username: quiet,
        TemporaryPassword: TEMP,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: quiet },
          { Name: 'email_verified', Value: 'true' },
        ],
      });
      assert.equal(out.User.UserStatus, 'FORCE_CHANGE_PASSWORD');
      assert.equal(out.User.Enabled, true);
      assert.equal(attrs(out.User.Attributes).email, quiet);
      assert.match(attrs(out.User.Attributes).sub, /^[0-9a-f-]{36}$/);
      assert.ok(out.User.UserCreateDate instanceof Date, 'UserCreateDate parses as a date');
      assert.equal((await outbox(origin, quiet)).length, 0, 'no invitation');
    });

    await t.test('AdminCreateUser without MessageAction: the invitation carries the temporary password', async () => {
      const { result, message, code } = await withCode(origin, invited, () =>
        send(AdminCreateUserCommand, {
          Username: invited,
          UserAttributes: [{ Name: 'email', Value: invited }],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
      assert.equal(result.User.UserStatus, 'FORCE_CHANGE_PASSWORD');
      assert.equal(message.trigger_source, 'CustomMessage_AdminCreateUser');
      assert.equal(message.channel, 'EMAIL');
      assert.ok(code.length >= 8, 'a generated temporary password');
      assert.ok(message.body.includes(code), message.body);
      // The generated password works: the sign-in asks for a new one.
      const step = await signIn({ username: invited, password: code });
      assert.equal(step.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
      assert.equal((await confirmSignIn({ challengeResponse: FINAL })).isSignedIn, true);
      await signOut();
    });

    await t.test('AdminCreateUser of an existing user: UsernameExistsException', async () => {
      await rejectsWith(
        () => send(AdminCreateUserCommand, { Username: quiet, TemporaryPassword: TEMP, MessageAction: 'SUPPRESS' }),
        'UsernameExistsException',
        'second AdminCreateUser',
      );
    });

    await t.test('AdminCreateUser MessageAction RESEND: a new temporary password in a new invitation', async () => {
      const { code: first } = await withCode(origin, resent, () =>
        send(AdminCreateUserCommand, { Username: resent, UserAttributes: [{ Name: 'email', Value: resent }], DesiredDeliveryMediums: ['EMAIL'] }),
      );
      const { result, message, code: second } = await withCode(origin, resent, () =>
        send(AdminCreateUserCommand, { Username: resent, MessageAction: 'RESEND', DesiredDeliveryMediums: ['EMAIL'] }),
      );
      assert.equal(result.User.UserStatus, 'FORCE_CHANGE_PASSWORD');
      assert.equal(message.trigger_source, 'CustomMessage_AdminCreateUser');
      assert.notEqual(second, first);
      await rejectsWith(() => signIn({ username: resent, password: first }), 'NotAuthorizedException', 'the replaced password');
      const step = await signIn({ username: resent, password: second });
      assert.equal(step.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
      assert.equal((await confirmSignIn({ challengeResponse: FINAL })).isSignedIn, true);
      await signOut();
      // Now CONFIRMED: no more invitations; unknown users: UserNotFoundException.
      const e = await rejectsWith(
        () => send(AdminCreateUserCommand, { Username: resent, MessageAction: 'RESEND' }),
        'UnsupportedUserStateException',
        'RESEND to a confirmed user',
      );
      assert.match(e.message, /FORCE_CHANGE_PASSWORD/);
      await rejectsWith(
        () => send(AdminCreateUserCommand, { Username: address('nobody'), MessageAction: 'RESEND' }),
        'UserNotFoundException',
        'RESEND to an unknown user',
      );
    });

    await t.test('aws-amplify sign-in of the created user: NEW_PASSWORD_REQUIRED, then confirmSignIn', async () => {
      const step = await signIn({ username: quiet, password: TEMP });
      assert.equal(step.isSignedIn, false);
      assert.equal(step.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
      const done = await confirmSignIn({ challengeResponse: FINAL });
      assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
      const { tokens } = await fetchAuthSession();
      assert.equal(tokens.idToken.payload.email, quiet);
      await signOut();
      const got = await send(AdminGetUserCommand, { Username: quiet });
      assert.equal(got.UserStatus, 'CONFIRMED');
    });

    await t.test('AdminGetUser', async () => {
      const got = await send(AdminGetUserCommand, { Username: quiet });
      assert.equal(got.Enabled, true);
      assert.equal(attrs(got.UserAttributes).email, quiet);
      assert.equal(attrs(got.UserAttributes).email_verified, 'true');
      // With email sign-in the Cognito user name is the sub.
      assert.equal(got.Username, attrs(got.UserAttributes).sub);
      assert.ok(got.UserLastModifiedDate instanceof Date);
    });

    await t.test('AdminSetUserPassword Permanent true: the new password signs in directly', async () => {
      await send(AdminSetUserPasswordCommand, { Username: quiet, Password: 'Perm4nent!pass', Permanent: true });
      assert.equal((await send(AdminGetUserCommand, { Username: quiet })).UserStatus, 'CONFIRMED');
      await rejectsWith(() => signIn({ username: quiet, password: FINAL }), 'NotAuthorizedException', 'old password');
      const r = await signIn({ username: quiet, password: 'Perm4nent!pass' });
      assert.equal(r.isSignedIn, true);
      await signOut();
    });

    await t.test('AdminSetUserPassword Permanent false: FORCE_CHANGE_PASSWORD and a new password at sign-in', async () => {
      await send(AdminSetUserPasswordCommand, { Username: quiet, Password: 'Anoth3r!temp', Permanent: false });
      assert.equal((await send(AdminGetUserCommand, { Username: quiet })).UserStatus, 'FORCE_CHANGE_PASSWORD');
      const step = await signIn({ username: quiet, password: 'Anoth3r!temp' });
      assert.equal(step.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
      assert.equal((await confirmSignIn({ challengeResponse: FINAL })).isSignedIn, true);
      await signOut();
    });

    const signedUp = address('signedup');
    await t.test('AdminConfirmSignUp confirms a signed-up user without the code', async () => {
      const { result } = await withCode(origin, signedUp, () =>
        signUp({ username: signedUp, password: FINAL, options: { userAttributes: { email: signedUp } } }),
      );
      assert.equal(result.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
      assert.equal((await send(AdminGetUserCommand, { Username: signedUp })).UserStatus, 'UNCONFIRMED');
      // The client turns Cognito's UserNotConfirmedException into the CONFIRM_SIGN_UP step.
      const before = await signIn({ username: signedUp, password: FINAL });
      assert.equal(before.isSignedIn, false);
      assert.equal(before.nextStep.signInStep, 'CONFIRM_SIGN_UP');
      await send(AdminConfirmSignUpCommand, { Username: signedUp });
      assert.equal((await send(AdminGetUserCommand, { Username: signedUp })).UserStatus, 'CONFIRMED');
      assert.equal((await signIn({ username: signedUp, password: FINAL })).isSignedIn, true);
      await signOut();
      // A confirmed user cannot be confirmed again.
      await rejectsWith(() => send(AdminConfirmSignUpCommand, { Username: signedUp }), 'NotAuthorizedException', 'again');
      // ...nor by the user's own code afterwards.
      await rejectsWith(
        () => confirmSignUp({ username: signedUp, confirmationCode: '123456' }),
        'NotAuthorizedException',
        'confirmSignUp after AdminConfirmSignUp',
      );
    });

    await t.test('AdminDisableUser: sign-in refused, the access token refused; AdminEnableUser', async () => {
      assert.equal((await signIn({ username: quiet, password: FINAL })).isSignedIn, true);
      const token = await accessToken();
      assert.equal((await cognito(endpoint, 'GetUser', { AccessToken: token })).status, 200);
      await send(AdminDisableUserCommand, { Username: quiet });
      assert.equal((await send(AdminGetUserCommand, { Username: quiet })).Enabled, false);
      const refused = await cognito(endpoint, 'GetUser', { AccessToken: token });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.__type, 'NotAuthorizedException');
      await signOut();
      const e = await rejectsWith(
        () => signIn({ username: quiet, password: FINAL }),
        'NotAuthorizedException',
        'disabled sign-in',
      );
      assert.equal(e.message, 'User is disabled.');
      await send(AdminEnableUserCommand, { Username: quiet });
      assert.equal((await send(AdminGetUserCommand, { Username: quiet })).Enabled, true);
      assert.equal((await signIn({ username: quiet, password: FINAL })).isSignedIn, true);
      await signOut();
    });

    await t.test('groups: AdminAddUserToGroup, AdminListGroupsForUser, ListUsersInGroup, AdminRemoveUserFromGroup', async () => {
      await send(AdminAddUserToGroupCommand, { Username: quiet, GroupName: 'Admins' });
      await send(AdminAddUserToGroupCommand, { Username: quiet, GroupName: 'Editors' });
      await send(AdminAddUserToGroupCommand, { Username: invited, GroupName: 'Editors' });
      const groups = await send(AdminListGroupsForUserCommand, { Username: quiet });
      assert.deepEqual(groups.Groups.map((g) => g.GroupName).sort(), ['Admins', 'Editors']);
      assert.ok(groups.Groups.every((g) => g.UserPoolId === UserPoolId));
      const editors = await send(ListUsersInGroupCommand, { GroupName: 'Editors' });
      const emails = editors.Users.map((u) => attrs(u.Attributes).email).sort();
      assert.deepEqual(emails, [invited, quiet].sort());
      // The groups reach the tokens.
      await signIn({ username: quiet, password: FINAL });
      const { tokens } = await fetchAuthSession();
      assert.deepEqual([...tokens.accessToken.payload['cognito:groups']].sort(), ['Admins', 'Editors']);
      await signOut();
      await send(AdminRemoveUserFromGroupCommand, { Username: quiet, GroupName: 'Admins' });
      const after = await send(AdminListGroupsForUserCommand, { Username: quiet });
      assert.deepEqual(after.Groups.map((g) => g.GroupName), ['Editors']);
      const admins = await send(ListUsersInGroupCommand, { GroupName: 'Admins' });
      assert.deepEqual(admins.Users, []);
    });

    await t.test('ListGroups, with pagination', async () => {
      const all = await send(ListGroupsCommand, {});
      assert.deepEqual(all.Groups.map((g) => g.GroupName).sort(), ['Admins', 'Editors']);
      const first = await send(ListGroupsCommand, { Limit: 1 });
      assert.equal(first.Groups.length, 1);
      assert.ok(first.NextToken, 'a next page');
      const second = await send(ListGroupsCommand, { Limit: 1, NextToken: first.NextToken });
      assert.equal(second.Groups.length, 1);
      assert.notEqual(second.Groups[0].GroupName, first.Groups[0].GroupName);
      assert.equal(second.NextToken, undefined);
    });

    await t.test('ListUsers: Filter email = / email ^=, AttributesToGet, pagination', async () => {
      const exact = await send(ListUsersCommand, { Filter: `email = "${quiet}"` });
      assert.equal(exact.Users.length, 1);
      assert.equal(attrs(exact.Users[0].Attributes).email, quiet);
      const prefix = await send(ListUsersCommand, { Filter: `email ^= "adm-"` });
      const found = prefix.Users.map((u) => attrs(u.Attributes).email).sort();
      assert.deepEqual(found, [invited, quiet, resent, signedUp].sort());
      const none = await send(ListUsersCommand, { Filter: `email = "nobody-${RUN}@example.com"` });
      assert.deepEqual(none.Users, []);
      const only = await send(ListUsersCommand, { Filter: `email = "${quiet}"`, AttributesToGet: ['email'] });
      assert.deepEqual(only.Users[0].Attributes, [{ Name: 'email', Value: quiet }]);
      // Pages of one, following PaginationToken until it is gone.
      const seen = [];
      let token;
      let pages = 0;
      do {
        const page = await send(ListUsersCommand, { Filter: `email ^= "adm-"`, Limit: 1, PaginationToken: token });
        assert.ok(page.Users.length <= 1);
        seen.push(...page.Users.map((u) => attrs(u.Attributes).email));
        token = page.PaginationToken;
        pages += 1;
        assert.ok(pages <= 10, 'pagination ends');
      } while (token);
      assert.deepEqual(seen.sort(), [invited, quiet, resent, signedUp].sort());
      await rejectsWith(
        () => send(ListUsersCommand, { Filter: 'custom:nope = "x"' }),
        'InvalidParameterException',
        'a filter on an attribute Cognito cannot search',
      );
    });

    await t.test('AdminUserGlobalSignOut: the old access token is refused', async () => {
      assert.equal((await signIn({ username: quiet, password: FINAL })).isSignedIn, true);
      const token = await accessToken();
      assert.equal((await cognito(endpoint, 'GetUser', { AccessToken: token })).status, 200);
      await send(AdminUserGlobalSignOutCommand, { Username: quiet });
      const refused = await cognito(endpoint, 'GetUser', { AccessToken: token });
      assert.equal(refused.body.__type, 'NotAuthorizedException');
      assert.match(refused.body.message, /revoked/i);
      await signOut({ global: false });
      // A fresh sign-in still works.
      assert.equal((await signIn({ username: quiet, password: FINAL })).isSignedIn, true);
      await signOut();
    });

    await t.test('AdminDeleteUser: the user is gone', async () => {
      await send(AdminDeleteUserCommand, { Username: signedUp });
      await rejectsWith(() => send(AdminGetUserCommand, { Username: signedUp }), 'UserNotFoundException', 'deleted user');
      await rejectsWith(() => signIn({ username: signedUp, password: FINAL }), 'NotAuthorizedException', 'deleted sign-in');
    });

    await t.test('unhappy paths: the error names Cognito gives', async () => {
      const ghost = address('ghost');
      for (const [Command, input] of [
        [AdminGetUserCommand, { Username: ghost }],
        [AdminDeleteUserCommand, { Username: ghost }],
        [AdminDisableUserCommand, { Username: ghost }],
        [AdminEnableUserCommand, { Username: ghost }],
        [AdminConfirmSignUpCommand, { Username: ghost }],
        [AdminSetUserPasswordCommand, { Username: ghost, Password: FINAL, Permanent: true }],
        [AdminUserGlobalSignOutCommand, { Username: ghost }],
        [AdminListGroupsForUserCommand, { Username: ghost }],
        [AdminAddUserToGroupCommand, { Username: ghost, GroupName: 'Admins' }],
      ]) {
        await rejectsWith(() => send(Command, input), 'UserNotFoundException', `${Command.name} of an unknown user`);
      }
      await rejectsWith(
        () => send(AdminAddUserToGroupCommand, { Username: quiet, GroupName: 'NoSuchGroup' }),
        'ResourceNotFoundException',
        'an unknown group',
      );
      await rejectsWith(
        () => send(AdminRemoveUserFromGroupCommand, { Username: quiet, GroupName: 'NoSuchGroup' }),
        'ResourceNotFoundException',
        'removal from an unknown group',
      );
      await rejectsWith(
        () => send(ListUsersInGroupCommand, { GroupName: 'NoSuchGroup' }),
        'ResourceNotFoundException',
        'listing an unknown group',
      );
      await rejectsWith(
        () => admin.send(new AdminGetUserCommand({ UserPoolId: `${region}_NoSuchPool`, Username: quiet })),
        'ResourceNotFoundException',
        'another user pool',
      );
      await rejectsWith(
        () => send(AdminSetUserPasswordCommand, { Username: quiet, Password: 'short', Permanent: true }),
        'InvalidPasswordException',
        'a password against the policy',
      );
      const forged = new CognitoIdentityProviderClient({
        region,
        endpoint,
        credentials: { accessKeyId: key.accessKeyId, secretAccessKey: `${key.secretAccessKey.slice(0, -1)}x` },
      });
      await rejectsWith(
        () => forged.send(new AdminGetUserCommand({ UserPoolId, Username: quiet })),
        'InvalidSignatureException',
        'a request signed with a wrong secret',
      );
      const stranger = new CognitoIdentityProviderClient({
        region,
        endpoint,
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: key.secretAccessKey },
      });
      await rejectsWith(
        () => stranger.send(new ListUsersCommand({ UserPoolId })),
        'UnrecognizedClientException',
        'an unknown access key',
      );
      // The user is untouched by all of that.
      assert.equal((await send(AdminGetUserCommand, { Username: quiet })).Enabled, true);
    });
  } finally {
    await sandbox?.stop();
    await project.cleanup();
  }
});
