//! Administrative operations as a Rust API. They back the SigV4-signed `Admin*` actions
//! (`admin_actions`) and are callable from Rust (the server, tests).

use super::AuthService;
use crate::db::UserStatus;
use crate::error::{CResult, CognitoError, ErrorKind};

fn user_not_found() -> CognitoError {
    CognitoError::new(ErrorKind::UserNotFound, "User does not exist.")
}

impl AuthService {
    /// `AdminAddUserToGroup`.
    pub async fn admin_add_user_to_group(&self, username: &str, group: &str) -> CResult<()> {
        let user = self
            .db()
            .user_by_login(username)
            .await?
            .ok_or_else(user_not_found)?;
        if !self.db().group_exists(group).await? {
            return Err(CognitoError::new(
                ErrorKind::ResourceNotFound,
                "Group not found.",
            ));
        }
        self.db().add_user_to_group(&user.sub, group).await?;
        Ok(())
    }

    /// `AdminDisableUser` / `AdminEnableUser`. Disabling revokes the user's tokens.
    pub async fn admin_set_user_enabled(&self, username: &str, enabled: bool) -> CResult<()> {
        let user = self
            .db()
            .user_by_login(username)
            .await?
            .ok_or_else(user_not_found)?;
        let now = self.now();
        let written = async {
            self.db().set_enabled(&user.sub, enabled, now).await?;
            if !enabled {
                self.db().revoke_all_refresh(&user.sub, now).await?;
            }
            Ok::<_, sqlx::Error>(())
        }
        .await;
        self.inner.token_cache.invalidate_user(&user.sub);
        written?;
        Ok(())
    }

    /// `AdminSetUserPassword`: a permanent password confirms the user; a temporary one makes
    /// the next sign-in answer `NEW_PASSWORD_REQUIRED`.
    pub async fn admin_set_user_password(
        &self,
        username: &str,
        password: &str,
        permanent: bool,
    ) -> CResult<()> {
        crate::password::check(&self.inner.spec.password_policy, password, "password")?;
        let user = self
            .db()
            .user_by_login(username)
            .await?
            .ok_or_else(user_not_found)?;
        let now = self.set_password(&user, password).await?;
        let status = if permanent {
            UserStatus::Confirmed
        } else {
            UserStatus::ForceChangePassword
        };
        self.db().set_status(&user.sub, status, now).await?;
        Ok(())
    }
}
