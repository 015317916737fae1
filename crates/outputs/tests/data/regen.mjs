// Regenerates the *_expected.json ground truth from the REAL Amplify packages installed in the
// oracle (no AWS calls). Usage: node regen.mjs [/path/to/oracle]   (default /work/shared/oracle)
// Inputs: auth_cases.json, storage_cases.json, function_cases.json (raw props, as the loader hands
// them to `*Spec::from_props`). Outputs: auth_expected.json, storage_expected.json, function_expected.json.
import { createRequire } from 'module';
import { readFileSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { fileURLToPath, pathToFileURL } from 'url';

const here = dirname(fileURLToPath(import.meta.url));
const oracle = process.argv[2] ?? '/work/shared/oracle';
const nm = join(oracle, 'node_modules');
const require = createRequire(join(oracle, 'package.json'));
const imp = (p) => import(pathToFileURL(join(nm, p)).href);

const { App, Stack, SecretValue, Duration } = require('aws-cdk-lib');
const { AmplifyAuth } = require('@aws-amplify/auth-construct');
const { AmplifyAuthFactory } = await imp('@aws-amplify/backend-auth/lib/factory.js');
const { translateToAuthConstructLoginWith } = await imp('@aws-amplify/backend-auth/lib/translate_auth_props.js');
const { AuthClientConfigContributor, StorageClientConfigContributor } = await imp(
  '@aws-amplify/client-config/lib/client-config-contributor/client_config_contributor_v1.js');
const { StorageAccessOrchestrator } = await imp('@aws-amplify/backend-storage/lib/storage_access_orchestrator.js');
const { roleAccessBuilder } = await imp('@aws-amplify/backend-storage/lib/access_builder.js');
const { defineFunction } = await imp('@aws-amplify/backend-function/lib/factory.js');
const { convertFunctionSchedulesToScheduleProps } = await imp('@aws-amplify/backend-function/lib/schedule_parser.js');
const { DefaultResourceNameValidator } = await imp('@aws-amplify/backend/lib/engine/validations/default_resource_name_validator.js');

const read = (f) => JSON.parse(readFileSync(join(here, f), 'utf8'));
const write = (f, v) => writeFileSync(join(here, f), JSON.stringify(v, null, 2) + '\n');
const errorOf = (e) => {
  const root = e.cause && e.name === 'AmplifyAuthConstructInitializationError' ? e.cause : e;
  const out = { error: root.name, message: root.message };
  if (root.details) out.details = root.details;
  return out;
};

// ---------- auth ----------
const fn = (s) => () => s;
const secret = (v) => (v && typeof v === 'object' && '$secret' in v ? `SECRET:${v.$secret}` : v);
const toAuthProps = (raw) => {
  const p = structuredClone(raw);
  delete p.triggers; delete p.access; // factory-level wiring, no construct/output effect
  const lw = p.loginWith ?? {};
  if (typeof lw.email === 'object') {
    const e = lw.email;
    if (typeof e.verificationEmailBody === 'string') {
      const body = e.verificationEmailBody;
      if (e.verificationEmailStyle === 'LINK') {
        const m = body.match(/\{##(.*?)##\}/);
        e.verificationEmailBody = (createLink) => { if (m) createLink(m[1] === 'Verify Email' ? undefined : m[1]); return body; };
      } else e.verificationEmailBody = fn(body);
    }
    if (e.userInvitation) {
      for (const k of ['emailBody', 'smsMessage']) if (typeof e.userInvitation[k] === 'string') e.userInvitation[k] = fn(e.userInvitation[k]);
    }
  }
  if (typeof lw.phone === 'object' && typeof lw.phone.verificationMessage === 'string') lw.phone.verificationMessage = fn(lw.phone.verificationMessage);
  if (p.multifactor && typeof p.multifactor.sms === 'object') p.multifactor.sms = { smsMessage: fn(p.multifactor.sms.smsMessage) };
  const ext = lw.externalProviders;
  if (ext) {
    for (const k of ['google', 'facebook', 'loginWithAmazon', 'signInWithApple']) {
      if (ext[k]) for (const f of Object.keys(ext[k])) ext[k][f] = secret(ext[k][f]);
    }
    for (const o of ext.oidc ?? []) for (const f of Object.keys(o)) o[f] = secret(o[f]);
  }
  return p;
};
const resolver = { resolveSecret: (s) => SecretValue.unsafePlainText(s) };
const authCase = (c) => {
  try {
    AmplifyAuthFactory.factoryCount = 0;
    const props = toAuthProps(c.props);
    new AmplifyAuthFactory(props, 'at <anonymous> (amplify/auth/resource.ts:1:1)');
    const app = new App();
    const stack = new Stack(app, 'S', { env: { region: 'us-east-1', account: '123456789012' } });
    const entries = {};
    const oss = { addBackendOutputEntry: (k, v) => { entries[k] = v; }, appendToBackendOutputList: () => {} };
    const authProps = { ...props, loginWith: translateToAuthConstructLoginWith(props.loginWith, resolver), outputStorageStrategy: oss };
    if (authProps.loginWith.externalProviders) authProps.loginWith.externalProviders.domainPrefix = 'stablehash';
    new AmplifyAuth(stack, props.name ?? 'amplifyAuth', authProps);
    const payload = {};
    for (const [k, v] of Object.entries(entries['AWS::Amplify::Auth'].payload)) {
      const r = stack.resolve(v);
      payload[k] = typeof r === 'string' ? r : `<${k}>`;
    }
    payload.authRegion = '<region>';
    const auth = new AuthClientConfigContributor().contribute({ 'AWS::Amplify::Auth': { version: '1', payload } }).auth;
    const tpl = app.synth().getStackByName('S').template;
    const res = Object.values(tpl.Resources);
    const pick = (o, keys) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
    const pool = res.find((r) => r.Type === 'AWS::Cognito::UserPool').Properties;
    const client = res.find((r) => r.Type === 'AWS::Cognito::UserPoolClient').Properties;
    const idp = res.find((r) => r.Type === 'AWS::Cognito::IdentityPool').Properties;
    const groups = res.filter((r) => r.Type === 'AWS::Cognito::UserPoolGroup').map((r) => pick(r.Properties, ['GroupName', 'Precedence']));
    return {
      auth,
      userPool: pick(pool, ['UserPoolName', 'UsernameAttributes', 'AutoVerifiedAttributes', 'Schema', 'Policies', 'MfaConfiguration',
        'EnabledMfas', 'SmsAuthenticationMessage', 'EmailVerificationMessage', 'EmailVerificationSubject', 'SmsVerificationMessage',
        'VerificationMessageTemplate', 'AdminCreateUserConfig', 'AccountRecoverySetting', 'UsernameConfiguration',
        'UserAttributeUpdateSettings', 'WebAuthnRelyingPartyID', 'WebAuthnUserVerification']),
      userPoolClient: pick(client, ['ExplicitAuthFlows', 'AllowedOAuthFlows', 'AllowedOAuthScopes', 'CallbackURLs', 'LogoutURLs',
        'PreventUserExistenceErrors', 'GenerateSecret']),
      identityPool: pick(idp, ['AllowUnauthenticatedIdentities']),
      groups,
    };
  } catch (e) {
    return errorOf(e);
  }
};

// ---------- storage ----------
const storageCase = (c) => {
  const nameValidator = new DefaultResourceNameValidator();
  try {
    const defaults = c.buckets.filter((b) => b.isDefault);
    if (defaults.length > 1) throw Object.assign(new Error('More than one default storage set in the Amplify project.'), { name: 'MultipleDefaultStorageError' });
    if (defaults.length === 0 && c.buckets.length > 1) throw Object.assign(new Error('No default storage set in the Amplify project.'), { name: 'NoDefaultStorageError' });
    const buckets = [];
    let payload = {};
    const bucketStrings = [];
    for (const b of c.buckets) {
      nameValidator.validate(b.name);
      const policies = {};
      let paths;
      if (b.access) {
        const acceptor = (id) => ({ identifier: id, acceptResourceAccess: (policy) => { policies[id] = policy; } });
        const getInstanceProps = { constructContainer: { getConstructFactory: () => ({ getInstance: () => ({
          getResourceAccessAcceptor: (role) => acceptor(`${role}ResourceAccessAcceptor`) }) }) } };
        const generator = (allow) => Object.fromEntries(Object.entries(b.access).map(([path, rules]) => [path, rules.map((r) => {
          switch (r.principal) {
            case 'guest': return allow.guest.to(r.actions);
            case 'authenticated': return allow.authenticated.to(r.actions);
            case 'groups': return allow.groups(r.groups).to(r.actions);
            case 'entity': return allow.entity(r.entity).to(r.actions);
            case 'resource': return allow.resource({ getInstance: () => ({ getResourceAccessAcceptor: () => acceptor(`function:${r.resource.$function}`) }) }).to(r.actions);
          }
        })]));
        const policyFactory = { createPolicy: (accessMap) => Object.fromEntries(Array.from(accessMap.entries()).map(([action, { allow, deny }]) =>
          [action, { allow: Array.from(allow), deny: Array.from(deny) }])) };
        paths = new StorageAccessOrchestrator(generator, getInstanceProps, [], policyFactory, undefined, roleAccessBuilder).orchestrateStorageAccess();
      }
      const isDefault = b.isDefault || c.buckets.length === 1;
      const bucketName = `<bucket:${b.name}>`;
      if (isDefault) payload = { storageRegion: '<region>', bucketName };
      const entry = { name: b.name, bucketName, storageRegion: '<region>' };
      if (paths) entry.paths = paths;
      bucketStrings.push(JSON.stringify(entry));
      buckets.push({ name: b.name, policies });
    }
    payload.buckets = JSON.stringify(bucketStrings);
    const storage = new StorageClientConfigContributor().contribute({ 'AWS::Amplify::Storage': { version: '1', payload } }).storage;
    return { storage, buckets };
  } catch (e) {
    return errorOf(e);
  }
};

// ---------- functions ----------
const functionCase = (c) => {
  try {
    const raw = structuredClone(c.props);
    if (raw.environment) for (const k of Object.keys(raw.environment)) {
      const v = raw.environment[k];
      if (v && typeof v === 'object') raw.environment[k] = { branchSecretPath: v.$secret };
    }
    new DefaultResourceNameValidator().validate(raw.name);
    const factory = defineFunction({ ...raw, entry: `/project/${raw.entry}` });
    const props = factory.hydrateDefaults(undefined);
    if ('AMPLIFY_SSM_ENV_CONFIG' in props.environment) {
      throw Object.assign(new Error('AMPLIFY_SSM_ENV_CONFIG is a reserved environment variable name'), { name: 'FunctionReservedEnvironmentVariableError' });
    }
    if (props.logging.level !== undefined && !['info', 'debug', 'warn', 'error', 'fatal', 'trace'].includes(props.logging.level)) {
      throw Object.assign(new Error(`Invalid Lambda application log level: ${props.logging.level}`), { name: 'Error' });
    }
    const { FunctionLayerArnParser } = layerParser;
    const layers = new FunctionLayerArnParser('us-east-1', '123456789012').parseLayers(props.layers, props.name);
    const lambda = { timeout: Duration.seconds(props.timeoutSeconds) };
    const schedules = convertFunctionSchedulesToScheduleProps(lambda, props.schedule).map(({ schedule, description }) => {
      const out = { expression: schedule.expressionString, timezone: schedule.timeZone?.timezoneName ?? null };
      if (description !== undefined) out.description = description;
      return out;
    });
    return {
      name: props.name, timeoutSeconds: props.timeoutSeconds, memoryMB: props.memoryMB, ephemeralStorageSizeMB: props.ephemeralStorageSizeMB,
      runtime: props.runtime, architecture: props.architecture, resourceGroupName: props.resourceGroupName, minify: props.bundling.minify,
      layers, schedules, durableConfig: props.durableConfig ?? null,
    };
  } catch (e) {
    return errorOf(e);
  }
};
const layerParser = await imp('@aws-amplify/backend-function/lib/layer_parser.js');

write('auth_expected.json', Object.fromEntries(read('auth_cases.json').map((c) => [c.name, authCase(c)])));
write('storage_expected.json', Object.fromEntries(read('storage_cases.json').map((c) => [c.name, storageCase(c)])));
write('function_expected.json', Object.fromEntries(read('function_cases.json').map((c) => [c.name, functionCase(c)])));
