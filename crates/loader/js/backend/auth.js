// defineAuth / referenceAuth: singleton and passwordless checks of @aws-amplify/backend-auth, and
// the template callbacks evaluated with the placeholders @aws-amplify/auth-construct uses.

import {
  FACTORY,
  callSite,
  fail,
  functionRef,
  isFactory,
  isRecorder,
  plainError,
  serialize,
  state,
  unsupportedGetInstance,
  validateResourceName,
  warnOnce,
} from './state.js';

const CODE = '{####}';
const USERNAME = '{username}';
const LINK = '{##Verify Email##}';

const singleton = (location) => {
  if (state.auth) {
    fail(
      'MultipleSingletonResourcesError',
      {
        message: 'Multiple `defineAuth` or `referenceAuth` calls are not allowed within an Amplify backend',
        resolution: 'Remove all but one `defineAuth` or `referenceAuth` call',
      },
      location,
    );
  }
};

const validateRelyingPartyId = (id) => {
  if (id === 'AUTO' || id === 'localhost') return undefined;
  if (id.includes('://')) {
    return `Invalid relying party ID: "${id}". Must be a valid domain without protocol (e.g., "example.com"), "localhost" for development, or "AUTO" for Amplify Hosting.`;
  }
  const domain = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
  if (!domain.test(id)) {
    return `Invalid relying party ID: "${id}". Must be a valid domain format.`;
  }
  return undefined;
};

/** validatePasswordlessConfig of backend-auth's factory. */
const validatePasswordless = (props, location) => {
  const errors = [];
  const loginWith = props.loginWith ?? {};
  const multifactor = props.multifactor;
  const emailEnabled = !!loginWith.email;
  const phoneEnabled = !!loginWith.phone;
  const emailOtp = typeof loginWith.email === 'object' && loginWith.email?.otpLogin === true;
  const smsOtp = typeof loginWith.phone === 'object' && loginWith.phone?.otpLogin === true;
  const webAuthn = !!loginWith.webAuthn;
  const rpId = webAuthn && typeof loginWith.webAuthn === 'object' ? loginWith.webAuthn.relyingPartyId : undefined;
  if (!emailEnabled && !phoneEnabled && !loginWith.externalProviders) {
    errors.push(
      'At least one authentication method must be enabled. Configure email, phone, or external providers in loginWith.',
    );
  }
  if (webAuthn && !emailEnabled && !phoneEnabled) {
    errors.push('Passkeys (WebAuthn) require at least one sign-up method (email or phone).');
  }
  if (webAuthn && rpId) {
    const rpError = validateRelyingPartyId(rpId);
    if (rpError) errors.push(rpError);
    else if (rpId !== 'AUTO' && rpId !== 'localhost') {
      warnOnce(
        `webauthn-rp:${rpId}`,
        `WebAuthn relying party ID is set to "${rpId}". Changing this value after deployment will invalidate all existing passkeys. Users will need to re-register their passkeys.`,
        location,
      );
    }
  }
  if ((emailOtp || smsOtp || webAuthn) && multifactor?.mode === 'REQUIRED') {
    errors.push(
      'Passwordless authentication (Email OTP, SMS OTP, WebAuthn) cannot be used when MFA is set to REQUIRED. Amazon Cognito does not support combining MFA with passwordless authentication methods.',
    );
  }
  if (errors.length > 0) {
    fail(
      'InvalidPasswordlessConfigError',
      {
        message: `Invalid passwordless authentication configuration: ${errors.join(' ')}`,
        details: errors.join('\n\n'),
        resolution: 'Fix the configuration errors listed above',
      },
      location,
    );
  }
};

const requireFunction = (value, what, location) => {
  if (isFactory(value, 'function')) return functionRef(value);
  if (isRecorder(value)) {
    warnOnce(`${what}:cdk`, `ignored: ${what} is a CDK function, stratus only runs defineFunction functions`, location);
    return serialize(value);
  }
  throw plainError(`${what} must be a function created with defineFunction`, location);
};

const verificationEmailBody = (email, location) => {
  const body = email.verificationEmailBody;
  if (typeof body !== 'function') return body;
  if (email.verificationEmailStyle !== 'LINK') {
    const text = body(() => CODE);
    if (typeof text !== 'string' || !text.includes(CODE)) {
      throw plainError(
        "Invalid email settings. Property 'verificationEmailBody' must utilize the 'code' parameter at least once as a placeholder for the verification code.",
        location,
      );
    }
    return text;
  }
  let linkText = '';
  const text = body((label) => {
    linkText = label ? `{##${label}##}` : LINK;
    return linkText;
  });
  if (linkText === '' || typeof text !== 'string' || !text.includes(linkText)) {
    throw plainError(
      "Invalid email settings. Property 'verificationEmailBody' must utilize the 'link' parameter at least once as a placeholder for the verification link.",
      location,
    );
  }
  return text;
};

const userInvitation = (settings) => {
  if (!settings) return settings;
  const out = { ...settings };
  if (typeof settings.emailBody === 'function') out.emailBody = settings.emailBody(() => USERNAME, () => CODE);
  if (typeof settings.smsMessage === 'function') out.smsMessage = settings.smsMessage(() => USERNAME, () => CODE);
  return out;
};

const translateLoginWith = (loginWith, multifactor, location) => {
  const out = { ...loginWith };
  const emailEnabled = !!loginWith.email;
  const phoneEnabled = !!loginWith.phone;
  if (!emailEnabled && !phoneEnabled) {
    throw plainError('At least one of email or phone must be enabled.', location);
  }
  if (loginWith.email && typeof loginWith.email === 'object') {
    const email = { ...loginWith.email };
    if (email.verificationEmailBody !== undefined) email.verificationEmailBody = verificationEmailBody(email, location);
    if (email.userInvitation !== undefined) email.userInvitation = userInvitation(email.userInvitation);
    out.email = email;
  }
  if (loginWith.phone && typeof loginWith.phone === 'object') {
    const phone = { ...loginWith.phone };
    if (typeof phone.verificationMessage === 'function') {
      const text = phone.verificationMessage(() => CODE);
      if (typeof text !== 'string' || !text.includes(CODE)) {
        throw plainError(
          "Invalid phone settings. Property 'verificationMessage' must utilize the 'code' parameter at least once as a placeholder for the verification code.",
          location,
        );
      }
      phone.verificationMessage = text;
    }
    out.phone = phone;
  }
  if (phoneEnabled && multifactor && multifactor.mode !== 'OFF' && !multifactor.sms) {
    throw plainError('Invalid MFA settings. SMS must be enabled in multiFactor if loginWith phone is enabled', location);
  }
  const external = loginWith.externalProviders;
  if (external && (external.google || external.facebook || external.loginWithAmazon || external.signInWithApple || external.oidc?.length || external.saml)) {
    if (!external.logoutUrls || external.logoutUrls.length === 0) {
      throw plainError('You must define logoutUrls when configuring external login providers.', location);
    }
    if (!external.callbackUrls || external.callbackUrls.length === 0) {
      throw plainError('You must define callbackUrls when configuring external login providers.', location);
    }
  }
  return out;
};

const translateMultifactor = (multifactor, location) => {
  if (!multifactor || multifactor.mode === 'OFF' || typeof multifactor.sms !== 'object' || multifactor.sms === null) {
    return multifactor;
  }
  const sms = { ...multifactor.sms };
  if (typeof sms.smsMessage === 'function') {
    const text = sms.smsMessage(() => CODE);
    if (typeof text !== 'string' || !text.includes(CODE)) {
      throw plainError(
        "Invalid MFA settings. Property 'smsMessage' must utilize the 'code' parameter at least once as a placeholder for the verification code.",
        location,
      );
    }
    sms.smsMessage = text;
  }
  return { ...multifactor, sms };
};

const translateSenders = (senders, location) => {
  if (!senders) return senders;
  const out = { ...senders };
  for (const kind of ['email', 'sms']) {
    const sender = senders[kind];
    if (sender && typeof sender === 'object' && 'handler' in sender) {
      out[kind] = { ...sender, handler: requireFunction(sender.handler, `senders.${kind}.handler`, location) };
    }
  }
  const emailKms = senders.email?.handler ? senders.email.kmsKeyArn : undefined;
  const smsKms = senders.sms?.handler ? senders.sms.kmsKeyArn : undefined;
  if (emailKms && smsKms && emailKms !== smsKms) {
    throw plainError('KMS key ARN must be the same for both email and sms senders', location);
  }
  return out;
};

/** The `allow` of defineAuth({ access }). */
const authAccessBuilder = (location) => ({
  resource: (grantee) => ({
    to: (actions) => ({ resource: requireFunction(grantee, 'allow.resource()', location), actions: [...actions] }),
  }),
});

const translateAccess = (access, location) => {
  if (access === undefined) return undefined;
  if (typeof access !== 'function') throw plainError('access must be a function: (allow) => [...]', location);
  const definitions = access(authAccessBuilder(location));
  if (!Array.isArray(definitions)) throw plainError('access must return an array of allow.resource(...).to([...])', location);
  return definitions.map((d) => serialize(d));
};

const translateTriggers = (triggers, location) => {
  if (!triggers) return triggers;
  const out = {};
  for (const [event, handler] of Object.entries(triggers)) {
    out[event] = requireFunction(handler, `triggers.${event}`, location);
  }
  return out;
};

export function defineAuth(props) {
  const location = callSite();
  singleton(location);
  if (!props || typeof props !== 'object' || !props.loginWith) {
    throw plainError('defineAuth requires a loginWith property', location);
  }
  validatePasswordless(props, location);
  if (props.name) validateResourceName(props.name, location);
  const raw = serialize({
    ...props,
    loginWith: translateLoginWith(props.loginWith, props.multifactor, location),
    multifactor: translateMultifactor(props.multifactor, location),
    triggers: translateTriggers(props.triggers, location),
    senders: translateSenders(props.senders, location),
    access: undefined,
  });
  const access = translateAccess(props.access, location);
  if (access !== undefined) raw.access = access;
  raw.$location = location;
  const factory = { [FACTORY]: 'auth', getInstance: unsupportedGetInstance, kind: 'defineAuth', name: props.name ?? 'amplifyAuth', raw, location };
  state.auth = factory;
  return factory;
}

export function referenceAuth(props) {
  const location = callSite();
  singleton(location);
  const raw = serialize({ ...props, access: undefined });
  const access = translateAccess(props?.access, location);
  if (access !== undefined) raw.access = access;
  raw.$reference = true;
  raw.$location = location;
  const factory = { [FACTORY]: 'auth', getInstance: unsupportedGetInstance, kind: 'referenceAuth', name: 'amplifyAuth', raw, location };
  state.auth = factory;
  return factory;
}
