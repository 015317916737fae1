//! `defineAuth` as data: the user pool, its app client and the identity pool exactly as
//! Amplify's auth construct configures them on AWS (`@aws-amplify/backend-auth` +
//! `@aws-amplify/auth-construct` + CDK's `UserPool`/`UserPoolClient` defaults), resolved so
//! that the auth service and `amplify_outputs.json` read plain values.

mod parse;
mod providers;
#[cfg(test)]
mod tests;
mod wiring;

use serde::{Deserialize, Serialize};

use crate::backend::SourceLocation;
use crate::error::screaming_snake_case;
use crate::props::SecretValue;

/// The `defineAuth` name when none is given (construct id, env var prefix).
pub const DEFAULT_AUTH_NAME: &str = "amplifyAuth";
/// Cognito's code placeholder in verification / MFA / invitation messages.
pub const CODE_PLACEHOLDER: &str = "{####}";
/// Cognito's user name placeholder in invitation messages.
pub const USERNAME_PLACEHOLDER: &str = "{username}";
/// CDK defaults for verification messages (what Cognito is configured with when the user does
/// not set them).
pub const DEFAULT_VERIFICATION_SUBJECT: &str = "Verify your new account";
pub const DEFAULT_VERIFICATION_CODE_MESSAGE: &str =
    "The verification code to your new account is {####}";
pub const DEFAULT_VERIFICATION_LINK_MESSAGE: &str =
    "Verify your account by clicking on {##Verify Email##}";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthSpec {
    /// `name` or [`DEFAULT_AUTH_NAME`].
    pub name: String,
    /// `UserPoolName` (only when `name` was given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_name: Option<String>,
    /// `loginWith.email` is enabled (`true` or settings).
    pub email_login: bool,
    /// `loginWith.phone` is enabled.
    pub phone_login: bool,
    /// Cognito `UsernameAttributes`: users sign in with these instead of a user name
    /// (`email` before `phone_number`).
    pub username_attributes: Vec<VerifiableAttribute>,
    /// Cognito `AutoVerifiedAttributes` (= `user_verification_types` in the outputs).
    pub auto_verified_attributes: Vec<VerifiableAttribute>,
    /// Changes to these stay pending until verified (`keepOriginal`).
    pub attributes_require_verification_before_update: Vec<VerifiableAttribute>,
    /// Always false: user names and aliases are case-insensitive.
    pub sign_in_case_sensitive: bool,
    /// Always true.
    pub self_sign_up_enabled: bool,
    /// Always true (`PreventUserExistenceErrors: ENABLED`).
    pub prevent_user_existence_errors: bool,
    pub password_policy: PasswordPolicy,
    /// Cognito schema standard attributes, in schema order (the first ones are the login
    /// attributes Amplify adds as required).
    pub standard_attributes: Vec<StandardAttribute>,
    pub custom_attributes: Vec<CustomAttribute>,
    pub verification: VerificationMessages,
    /// `loginWith.email.userInvitation` (admin-created users). `None` fields use Cognito's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_invitation: Option<InvitationMessages>,
    pub mfa: MfaSettings,
    pub account_recovery: AccountRecovery,
    pub passwordless: PasswordlessSettings,
    /// `groups`, precedence = index.
    pub groups: Vec<UserGroup>,
    /// Identity pool: unauthenticated (guest) identities allowed. Always true.
    pub allow_unauthenticated_identities: bool,
    pub client: UserPoolClientSettings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_providers: Option<ExternalProviders>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<AuthTrigger>,
    pub senders: Senders,
    /// `access: allow.resource(fn).to([...])`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access: Vec<AuthAccessGrant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
}

impl AuthSpec {
    /// The env var a function with `access` gets (`AMPLIFY_AUTH_USERPOOL_ID`).
    pub fn user_pool_id_env_var(&self) -> String {
        screaming_snake_case(&format!("{}_USERPOOL_ID", self.name))
    }

    /// The group whose IAM role a signed-in user runs as through the identity pool. The role
    /// mapping is `Token` (`cognito:preferred_role`): the role of the user's group with the
    /// lowest precedence; `None` (no group of this definition) means the authenticated role.
    /// Groups created at run time have no role and do not count.
    pub fn preferred_group<S: AsRef<str>>(&self, user_groups: &[S]) -> Option<&UserGroup> {
        self.groups
            .iter()
            .filter(|g| user_groups.iter().any(|u| u.as_ref() == g.name))
            .min_by_key(|g| g.precedence)
    }

    /// `standard_required_attributes` of the outputs: Cognito names of required standard
    /// attributes, in schema order.
    pub fn required_standard_attributes(&self) -> Vec<&str> {
        self.standard_attributes
            .iter()
            .filter(|a| a.required)
            .map(|a| a.name.as_str())
            .collect()
    }
}

/// `email` or `phone_number`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifiableAttribute {
    Email,
    PhoneNumber,
}

impl VerifiableAttribute {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::PhoneNumber => "phone_number",
        }
    }
}

/// Fixed by Amplify: min 8, every character class required. Cognito's temporary password
/// validity default (7 days) applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub min_length: u32,
    pub require_lowercase: bool,
    pub require_uppercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub temporary_password_validity_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 8,
            require_lowercase: true,
            require_uppercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandardAttribute {
    /// Cognito name (`given_name`, `picture`, `zoneinfo`, ...).
    pub name: String,
    pub required: bool,
    pub mutable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomAttribute {
    /// Without the `custom:` prefix (the user attribute is `custom:<name>`).
    pub name: String,
    pub data_type: CustomAttributeType,
    pub mutable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomAttributeType {
    String,
    Number,
    Boolean,
    DateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EmailVerificationStyle {
    /// `CONFIRM_WITH_CODE`
    Code,
    /// `CONFIRM_WITH_LINK`
    Link,
}

/// The verification messages Cognito sends, defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationMessages {
    pub email_style: EmailVerificationStyle,
    pub email_subject: String,
    /// Contains `{####}` (code style) or `{##text##}` (link style).
    pub email_message: String,
    /// Contains `{####}`.
    pub sms_message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationMessages {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_subject: Option<String>,
    /// With `{username}` and `{####}` (temporary password).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MfaMode {
    Off,
    Optional,
    Required,
}

impl MfaMode {
    /// `mfa_configuration` of the outputs.
    pub fn outputs_name(self) -> &'static str {
        match self {
            Self::Off => "NONE",
            Self::Optional => "OPTIONAL",
            Self::Required => "REQUIRED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MfaMethod {
    /// `SMS_MFA`
    Sms,
    /// `SOFTWARE_TOKEN_MFA`
    Totp,
    /// `EMAIL_OTP`
    Email,
}

impl MfaMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "SMS",
            Self::Totp => "TOTP",
            Self::Email => "EMAIL",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaSettings {
    pub mode: MfaMode,
    /// Enabled second factors, in Cognito's order (SMS, TOTP, EMAIL); empty when off.
    pub methods: Vec<MfaMethod>,
    /// `multifactor.sms.smsMessage` (with `{####}`); `None` = Cognito's default text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountRecovery {
    EmailAndPhoneWithoutMfa,
    PhoneWithoutMfaAndEmail,
    EmailOnly,
    PhoneOnlyWithoutMfa,
    PhoneAndEmail,
    None,
}

/// A Cognito `RecoveryMechanism`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryMechanism {
    /// `verified_email`, `verified_phone_number` or `admin_only`.
    pub name: String,
    pub priority: u32,
}

impl AccountRecovery {
    /// Cognito `AccountRecoverySetting.RecoveryMechanisms` as CDK sets them. Empty for
    /// `PHONE_AND_EMAIL`: no setting, Cognito's legacy behaviour (SMS if the user has a verified
    /// phone number, else email).
    pub fn recovery_mechanisms(self) -> Vec<RecoveryMechanism> {
        let m = |name: &str, priority| RecoveryMechanism {
            name: name.to_string(),
            priority,
        };
        match self {
            Self::EmailAndPhoneWithoutMfa => {
                vec![m("verified_email", 1), m("verified_phone_number", 2)]
            }
            Self::PhoneWithoutMfaAndEmail => {
                vec![m("verified_phone_number", 1), m("verified_email", 2)]
            }
            Self::EmailOnly => vec![m("verified_email", 1)],
            Self::PhoneOnlyWithoutMfa => vec![m("verified_phone_number", 1)],
            Self::PhoneAndEmail => vec![],
            Self::None => vec![m("admin_only", 1)],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthChallenge {
    Password,
    EmailOtp,
    SmsOtp,
    WebAuthn,
}

impl AuthChallenge {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "PASSWORD",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SmsOtp => "SMS_OTP",
            Self::WebAuthn => "WEB_AUTHN",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserVerification {
    Required,
    Preferred,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebAuthnSettings {
    /// `AUTO` is resolved as in a sandbox: `localhost`.
    pub relying_party_id: String,
    pub user_verification: UserVerification,
}

/// Passwordless sign-in (choice-based `USER_AUTH` flow).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordlessSettings {
    pub email_otp: bool,
    pub sms_otp: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_authn: Option<WebAuthnSettings>,
    /// `passwordlessOptions.preferredChallenge` (a frontend hint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_challenge: Option<AuthChallenge>,
}

impl PasswordlessSettings {
    pub fn any_enabled(&self) -> bool {
        self.email_otp || self.sms_otp || self.web_authn.is_some()
    }

    /// `SignInPolicy.AllowedFirstAuthFactors`: empty when no passwordless factor is enabled
    /// (no sign-in policy); otherwise PASSWORD plus the enabled factors.
    pub fn allowed_first_auth_factors(&self) -> Vec<AuthChallenge> {
        if !self.any_enabled() {
            return Vec::new();
        }
        let mut v = vec![AuthChallenge::Password];
        if self.email_otp {
            v.push(AuthChallenge::EmailOtp);
        }
        if self.sms_otp {
            v.push(AuthChallenge::SmsOtp);
        }
        if self.web_authn.is_some() {
            v.push(AuthChallenge::WebAuthn);
        }
        v
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserGroup {
    pub name: String,
    pub precedence: u32,
}

/// The web app client (no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPoolClientSettings {
    /// `ALLOW_CUSTOM_AUTH`, `ALLOW_USER_SRP_AUTH`, `ALLOW_REFRESH_TOKEN_AUTH`, plus
    /// `ALLOW_USER_AUTH` when a passwordless factor is enabled.
    pub explicit_auth_flows: Vec<String>,
    /// `code` (authorization code grant only).
    pub oauth_flows: Vec<String>,
    /// Cognito scope names (`openid`, `aws.cognito.signin.user.admin`, ...).
    pub oauth_scopes: Vec<String>,
    /// `https://example.com` (CDK's placeholder) when no external provider is configured.
    pub callback_urls: Vec<String>,
    pub logout_urls: Vec<String>,
}

impl UserPoolClientSettings {
    pub fn allows_flow(&self, flow: &str) -> bool {
        self.explicit_auth_flows.iter().any(|f| f == flow)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdentityProviderKind {
    Google,
    Facebook,
    LoginWithAmazon,
    SignInWithApple,
    Oidc,
    Saml,
}

impl IdentityProviderKind {
    /// The `auth.oauth.identity_providers` value; OIDC and SAML are not listed there.
    pub fn outputs_name(self) -> Option<&'static str> {
        match self {
            Self::Google => Some("GOOGLE"),
            Self::Facebook => Some("FACEBOOK"),
            Self::LoginWithAmazon => Some("LOGIN_WITH_AMAZON"),
            Self::SignInWithApple => Some("SIGN_IN_WITH_APPLE"),
            Self::Oidc | Self::Saml => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityProvider {
    pub kind: IdentityProviderKind,
    /// Cognito provider name (`Google`, `Facebook`, `LoginWithAmazon`, `SignInWithApple`, or the
    /// OIDC/SAML `name`; unnamed OIDC/SAML providers get `<authName><index>Oidc`/`<authName>Saml`).
    pub provider_name: String,
    /// `clientId`, `clientSecret`, `teamId`, `keyId`, `privateKey` (as present).
    pub credentials: Vec<(String, SecretValue)>,
    pub scopes: Vec<String>,
    /// Cognito attribute → provider attribute (`email` → `email`, `custom:tier` → `hd`).
    pub attribute_mapping: Vec<(String, String)>,
    /// Remaining provider settings as written (`issuerUrl`, `endpoints`, `metadata`, ...).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub settings: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalProviders {
    /// In the order Cognito registers them: Google, Facebook, Amazon, Apple, OIDC..., SAML.
    pub providers: Vec<IdentityProvider>,
    pub callback_urls: Vec<String>,
    pub logout_urls: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TriggerEvent {
    CreateAuthChallenge,
    CustomMessage,
    DefineAuthChallenge,
    PostAuthentication,
    PostConfirmation,
    PreAuthentication,
    PreSignUp,
    PreTokenGeneration,
    UserMigration,
    VerifyAuthChallengeResponse,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthTrigger {
    pub event: TriggerEvent,
    pub function: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailSender {
    /// `{ fromEmail, fromName?, replyTo? }`: SES, From `"Name <email>"`.
    Ses {
        from_email: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<String>,
    },
    /// Custom email sender trigger.
    Custom {
        function: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kms_key_arn: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsSender {
    Sns {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sns_caller_arn: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sns_region: Option<String>,
    },
    Custom {
        function: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kms_key_arn: Option<String>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Senders {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailSender>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms: Option<SmsSender>,
}

/// `allow.resource(fn).to(actions)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthAccessGrant {
    pub function: String,
    /// As written (`manageUsers`, `addUserToGroup`, ...).
    pub actions: Vec<String>,
    /// The `cognito-idp:*` IAM actions they grant on the user pool, de-duplicated.
    pub iam_actions: Vec<String>,
}
