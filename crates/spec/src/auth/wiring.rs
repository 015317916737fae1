//! The wiring parts of `defineAuth`: triggers, custom senders and function access grants.

use super::*;
use crate::error::{SpecError, SpecErrorKind};
use crate::props::Obj;

fn construct_error(message: impl Into<String>) -> SpecError {
    SpecError::new(SpecErrorKind::AuthConstructInitialization, message)
        .with_resolution("See the underlying error message for more details.")
}

pub(super) fn parse_senders(o: &Obj<'_>) -> Result<Senders, SpecError> {
    let Some(s) = o.obj("senders", "defineAuth.senders")? else {
        return Ok(Senders::default());
    };
    let email = match s.obj("email", "defineAuth.senders.email")? {
        None => None,
        Some(e) if e.has("handler") => Some(EmailSender::Custom {
            function: e.function_ref("handler")?.unwrap_or_default(),
            kms_key_arn: e.string("kmsKeyArn")?,
        }),
        Some(e) => Some(EmailSender::Ses {
            from_email: e.required_str("fromEmail")?.to_string(),
            from_name: e.string("fromName")?,
            reply_to: e.string("replyTo")?,
        }),
    };
    let sms = match s.obj("sms", "defineAuth.senders.sms")? {
        None => None,
        Some(m) if m.has("handler") => Some(SmsSender::Custom {
            function: m.function_ref("handler")?.unwrap_or_default(),
            kms_key_arn: m.string("kmsKeyArn")?,
        }),
        Some(m) => Some(SmsSender::Sns {
            external_id: m.string("externalId")?,
            sns_caller_arn: m.string("snsCallerArn")?,
            sns_region: m.string("snsRegion")?,
        }),
    };
    if let (
        Some(EmailSender::Custom {
            kms_key_arn: Some(a),
            ..
        }),
        Some(SmsSender::Custom {
            kms_key_arn: Some(b),
            ..
        }),
    ) = (&email, &sms)
        && a != b
    {
        return Err(construct_error(
            "KMS key ARN must be the same for both email and sms senders",
        ));
    }
    if let Some(SmsSender::Sns {
        external_id,
        sns_caller_arn,
        ..
    }) = &sms
        && external_id.is_some() != sns_caller_arn.is_some()
    {
        return Err(construct_error(
            "Both externalId and snsCallerArn are required when providing a custom IAM role. Ensure that your IAM role trust policy have an sts:ExternalId condition and is equal to the externalId value",
        ));
    }
    Ok(Senders { email, sms })
}

pub(super) fn parse_triggers(o: &Obj<'_>) -> Result<Vec<AuthTrigger>, SpecError> {
    let Some(t) = o.obj("triggers", "defineAuth.triggers")? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for key in t.map().keys() {
        let event = match key.as_str() {
            "createAuthChallenge" => TriggerEvent::CreateAuthChallenge,
            "customMessage" => TriggerEvent::CustomMessage,
            "defineAuthChallenge" => TriggerEvent::DefineAuthChallenge,
            "postAuthentication" => TriggerEvent::PostAuthentication,
            "postConfirmation" => TriggerEvent::PostConfirmation,
            "preAuthentication" => TriggerEvent::PreAuthentication,
            "preSignUp" => TriggerEvent::PreSignUp,
            "preTokenGeneration" => TriggerEvent::PreTokenGeneration,
            "userMigration" => TriggerEvent::UserMigration,
            "verifyAuthChallengeResponse" => TriggerEvent::VerifyAuthChallengeResponse,
            other => {
                return Err(SpecError::props(format!(
                    "defineAuth.triggers.{other} is not a Cognito trigger"
                )));
            }
        };
        if let Some(function) = t.function_ref(key)? {
            out.push(AuthTrigger { event, function });
        }
    }
    Ok(out)
}

/// `UserPoolAccessPolicyFactory` action → IAM action table.
fn iam_actions(action: &str) -> Option<&'static [&'static str]> {
    Some(match action {
        "manageUsers" => &[
            "cognito-idp:AdminConfirmSignUp",
            "cognito-idp:AdminCreateUser",
            "cognito-idp:AdminDeleteUser",
            "cognito-idp:AdminDeleteUserAttributes",
            "cognito-idp:AdminDisableUser",
            "cognito-idp:AdminEnableUser",
            "cognito-idp:AdminGetUser",
            "cognito-idp:AdminListGroupsForUser",
            "cognito-idp:AdminRespondToAuthChallenge",
            "cognito-idp:AdminSetUserMFAPreference",
            "cognito-idp:AdminSetUserSettings",
            "cognito-idp:AdminUpdateUserAttributes",
            "cognito-idp:AdminUserGlobalSignOut",
        ],
        "manageGroupMembership" => &[
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminRemoveUserFromGroup",
        ],
        "manageGroups" => &[
            "cognito-idp:GetGroup",
            "cognito-idp:ListGroups",
            "cognito-idp:CreateGroup",
            "cognito-idp:DeleteGroup",
            "cognito-idp:UpdateGroup",
        ],
        "manageUserDevices" => &[
            "cognito-idp:AdminForgetDevice",
            "cognito-idp:AdminGetDevice",
            "cognito-idp:AdminListDevices",
            "cognito-idp:AdminUpdateDeviceStatus",
        ],
        "managePasswordRecovery" => &[
            "cognito-idp:AdminResetUserPassword",
            "cognito-idp:AdminSetUserPassword",
        ],
        "manageProviderForUser" => &["cognito-idp:AdminLinkProviderForUser"],
        "addUserToGroup" => &["cognito-idp:AdminAddUserToGroup"],
        "createGroup" => &["cognito-idp:CreateGroup"],
        "createUser" => &["cognito-idp:AdminCreateUser"],
        "deleteGroup" => &["cognito-idp:DeleteGroup"],
        "deleteUser" => &["cognito-idp:AdminDeleteUser"],
        "deleteUserAttributes" => &["cognito-idp:AdminDeleteUserAttributes"],
        "disableUser" => &["cognito-idp:AdminDisableUser"],
        "enableUser" => &["cognito-idp:AdminEnableUser"],
        "forgetDevice" => &["cognito-idp:AdminForgetDevice"],
        "getDevice" => &["cognito-idp:AdminGetDevice"],
        "getGroup" => &["cognito-idp:GetGroup"],
        "getUser" => &["cognito-idp:AdminGetUser"],
        "listUsers" => &["cognito-idp:ListUsers"],
        "listUsersInGroup" => &["cognito-idp:ListUsersInGroup"],
        "listDevices" => &["cognito-idp:AdminListDevices"],
        "listGroups" => &["cognito-idp:ListGroups"],
        "listGroupsForUser" => &["cognito-idp:AdminListGroupsForUser"],
        "removeUserFromGroup" => &["cognito-idp:AdminRemoveUserFromGroup"],
        "resetUserPassword" => &["cognito-idp:AdminResetUserPassword"],
        "setUserMfaPreference" => &["cognito-idp:AdminSetUserMFAPreference"],
        "setUserPassword" => &["cognito-idp:AdminSetUserPassword"],
        "setUserSettings" => &["cognito-idp:AdminSetUserSettings"],
        "updateDeviceStatus" => &["cognito-idp:AdminUpdateDeviceStatus"],
        "updateGroup" => &["cognito-idp:UpdateGroup"],
        "updateUserAttributes" => &["cognito-idp:AdminUpdateUserAttributes"],
        _ => return None,
    })
}

pub(super) fn parse_access(o: &Obj<'_>) -> Result<Vec<AuthAccessGrant>, SpecError> {
    let Some(items) = o.array("access")? else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|item| {
            let g = Obj::new(item, "defineAuth.access[]")?;
            let function = g
                .function_ref("resource")?
                .ok_or_else(|| SpecError::props("defineAuth.access[] needs allow.resource(fn)"))?;
            let actions = g.str_list("actions")?.unwrap_or_default();
            if actions.is_empty() {
                return Err(SpecError::new(
                    SpecErrorKind::EmptyPolicy,
                    "At least one action must be specified.",
                )
                .with_resolution("Ensure all resource access rules specify at least one action."));
            }
            let mut iam: Vec<String> = Vec::new();
            for a in &actions {
                let list = iam_actions(a).ok_or_else(|| {
                    SpecError::props(format!("defineAuth.access: unknown auth action '{a}'"))
                })?;
                for x in list {
                    if !iam.iter().any(|y| y == x) {
                        iam.push((*x).to_string());
                    }
                }
            }
            Ok(AuthAccessGrant {
                function,
                actions,
                iam_actions: iam,
            })
        })
        .collect()
}
