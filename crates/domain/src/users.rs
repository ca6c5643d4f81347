//! User administration for the admins group.
//!
//! Enforced three times: the authorizer's policy keeps non-admins off these routes, every method
//! here checks the caller's groups again (a handler reached without them answers 403), and then
//! asks Cognito, with the caller's own access token, whether the session still lives and the
//! caller is still in the group ([`AdminService::confirm_admin`]). Every action writes one audit
//! line (who, what, whom; never a password). An admin cannot delete or disable themself (409), so
//! an admins group cannot lock itself out by accident.
//!
//! Actions that change who someone is or may be end their sessions
//! (`AdminUserGlobalSignOut`): disabling or deleting them (before), resetting or setting their
//! password and removing them from a group (after); and an admin can sign anyone else out
//! everywhere.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use api_types::{
    AuthorizerContext,
    wire::{CreateUserRequest, SetPasswordRequest, User, UserList, UserQuery},
};

use crate::{
    AccountPort, AdminPort, AuthError, CognitoError, CognitoErrorKind,
    cognito_errors::CognitoCall,
    input::{
        GROUP_NAME_MAX_CHARS, GROUPS_MAX, LIST_EMAIL_MAX_CHARS, LIST_FILTER_MAX_CHARS, PAGE_SIZE_MAX,
        PAGINATION_TOKEN_MAX_CHARS, USERNAME_MAX_CHARS, check_attribute_name, check_attribute_value, check_email,
        check_password, check_text, check_username,
    },
    token::CallerAccessToken,
    user_pool::{AdminAction, MembershipChange, NewUser, PasswordPermanence, PoolUser},
};
use tracing::Instrument;

/// Statuses `GET /users?status=` accepts.
const STATUSES: &[&str] = &[
    "UNCONFIRMED",
    "CONFIRMED",
    "ARCHIVED",
    "COMPROMISED",
    "UNKNOWN",
    "RESET_REQUIRED",
    "FORCE_CHANGE_PASSWORD",
    "EXTERNAL_PROVIDER",
];

const DEFAULT_PAGE: i32 = 20;

/// User administration.
#[derive(Clone)]
pub struct AdminService {
    pool: Arc<dyn AdminPort>,
    account: Arc<dyn AccountPort>,
    admin_group: String,
}

/// A username or group name (a path parameter, or one to create): Cognito's `UsernameType` and
/// `GroupNameType` share a length and a pattern ([`check_username`]).
fn check_name(field: &'static str, value: &str) -> Result<(), AuthError> {
    const _: () = assert!(USERNAME_MAX_CHARS == GROUP_NAME_MAX_CHARS);
    check_username(field, value)
}

/// A value to filter `ListUsers` by: bounded so that its filter always fits, no control
/// characters. `Filter` has no pattern, so anything else is Cognito's to match (or not).
fn check_filter_value(field: &'static str, value: &str) -> Result<(), AuthError> {
    check_text(field, value, LIST_EMAIL_MAX_CHARS)?;
    if value.chars().any(char::is_control) {
        return Err(AuthError::bad_input(field, format!("{field} contains control characters.")));
    }
    Ok(())
}

/// Every Cognito call of an admin route: see [`CognitoCall::Admin`] (an unknown user or group is
/// a 404 here: there is no privacy to keep from admins).
fn admin_error(err: CognitoError) -> AuthError {
    AuthError::from_cognito(CognitoCall::Admin, err)
}

/// Concurrent group lookups while listing (`ListUsersInGroup`, or `AdminListGroupsForUser`).
const GROUP_LOOKUPS_IN_FLIGHT: usize = 8;
/// The smallest page whose memberships are read group by group (see [`AdminService::views`]):
/// below it, per-user lookups cost no more than `ListGroups` alone and a group or two.
const MIN_USERS_BY_GROUP: usize = 3;

/// Counts one more call against `budget`: whether it is still within.
fn spend(calls: &AtomicUsize, budget: usize) -> bool {
    calls.fetch_add(1, Ordering::Relaxed) < budget
}

/// A lookup task that panicked or was cancelled (logged once, with the 502 that answers it).
fn task_failed() -> AuthError {
    AuthError::Upstream(CognitoError {
        kind: CognitoErrorKind::Other,
        code: "TaskFailed".into(),
        message: "group lookup".into(),
    })
}

/// A value inside a `ListUsers` filter: quoted, with `\\` and `"` escaped, so no input can end
/// the string and change the expression.
fn filter_value(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

impl AdminService {
    /// A service for the admins group `admin_group`, administering through `pool` and asking
    /// Cognito about the caller's own session through `account` (usually the same adapter).
    pub fn new(pool: Arc<dyn AdminPort>, account: Arc<dyn AccountPort>, admin_group: impl Into<String>) -> Self {
        Self { pool, account, admin_group: admin_group.into() }
    }

    /// The caller must be an admin (defence in depth behind the authorizer).
    pub fn require_admin(&self, caller: &AuthorizerContext) -> Result<(), AuthError> {
        if caller.in_group(&self.admin_group) {
            Ok(())
        } else {
            Self::audit(caller, "any", "-", "refused: not an admin");
            Err(AuthError::NotAdmin)
        }
    }

    /// [`AdminService::require_admin`], then Cognito asked at the time of the call whether the
    /// caller's session still lives (`GetUser` with their access token, which Cognito refuses
    /// once they signed out or changed their password, or were signed out, disabled or deleted:
    /// [`AuthError::InvalidAccessToken`], 401) and whether they are still in the admins group
    /// (`AdminListGroupsForUser`): two calls, one after the other. A token outlives all of these
    /// by up to its lifetime (60 minutes by default) and the authorizer's cache: without this
    /// check a stolen one would keep an admin's powers.
    pub async fn confirm_admin(&self, token: &CallerAccessToken) -> Result<(), AuthError> {
        let caller = token.caller();
        self.require_admin(caller)?;
        let user = match self.account.get_user(token.expose()).await {
            Ok(user) => user,
            Err(err) => {
                let err = AuthError::from_cognito(CognitoCall::AccessToken, err);
                if matches!(err, AuthError::InvalidAccessToken) {
                    Self::audit(caller, "any", "-", "refused: the session has ended");
                }
                return Err(err);
            }
        };
        let still_admin =
            self.pool.admin_groups(&user.username).await.map_err(admin_error)?.contains(&self.admin_group);
        if still_admin {
            Ok(())
        } else {
            Self::audit(caller, "any", "-", "refused: no longer an admin");
            Err(AuthError::NotAdmin)
        }
    }

    /// One audit line: who, what, whom, and how it ended. Never a password.
    fn audit(caller: &AuthorizerContext, action: &str, target: &str, result: &str) {
        tracing::info!(
            audit = true,
            actor_sub = %caller.sub,
            actor = %caller.username,
            action,
            target,
            result,
            "admin action"
        );
    }

    /// Refuses an action that would lock the caller out (audited).
    fn refuse_self(caller: &AuthorizerContext, action: &str, target: &PoolUser) -> Result<(), AuthError> {
        if target.attributes.get("sub").is_some_and(|sub| *sub == caller.sub) {
            Self::audit(caller, action, &target.username, "refused: would lock the caller out");
            return Err(AuthError::SelfAction);
        }
        Ok(())
    }

    /// Refuses an action that could take over or remove another admin (audited): one Cognito
    /// call (`AdminListGroupsForUser`) to learn whether `target` is in the admins group.
    async fn refuse_other_admin(
        &self,
        caller: &AuthorizerContext,
        action: &str,
        target: &PoolUser,
    ) -> Result<(), AuthError> {
        let groups = self.pool.admin_groups(&target.username).await.map_err(admin_error)?;
        if groups.contains(&self.admin_group) {
            Self::audit(caller, action, &target.username, "refused: the target is another admin");
            return Err(AuthError::OtherAdmin);
        }
        Ok(())
    }

    /// Adds a new user to `groups`; when one cannot be added, removes the user again (audited
    /// either way), so nobody is left without the groups they were created for.
    async fn add_groups_or_roll_back(
        pool: &dyn AdminPort,
        caller: &AuthorizerContext,
        username: &str,
        groups: &[String],
    ) -> Result<(), AuthError> {
        for group in groups {
            if let Err(err) = pool.admin_group_membership(username, group, MembershipChange::Add).await {
                let result = match pool.admin_user_action(AdminAction::Delete, username).await {
                    Ok(()) => "rolled back: a group could not be added",
                    Err(cleanup) => {
                        tracing::error!(code = %cleanup.code, target = %username, "could not remove a half-created user");
                        "NOT rolled back: a group could not be added and the user could not be removed"
                    }
                };
                Self::audit(caller, "create", username, result);
                return Err(admin_error(err));
            }
        }
        Ok(())
    }

    async fn view(&self, user: PoolUser) -> Result<User, AuthError> {
        let groups = self.pool.admin_groups(&user.username).await.map_err(admin_error)?;
        Ok(to_wire(user, groups))
    }

    /// The users with their groups, in order. A page's memberships come from the pool's groups
    /// (`ListGroups`, then `ListUsersInGroup` per group, [`GROUP_LOOKUPS_IN_FLIGHT`] groups at a
    /// time): `1 + groups` calls when each group's members fit a page of 60, whatever the page
    /// size. Those calls may not outnumber the page's users (what one `AdminListGroupsForUser`
    /// per user costs), nor may one group take more pages, one after the other, than the per-user
    /// way takes rounds of lookups; a pool whose groups are larger is looked up per user instead,
    /// so a page never costs more than about twice the per-user way, in calls or in time. Pages
    /// of fewer than [`MIN_USERS_BY_GROUP`] users are looked up per user.
    async fn views(&self, users: Vec<PoolUser>) -> Result<Vec<User>, AuthError> {
        let by_group = if users.len() < MIN_USERS_BY_GROUP { None } else { self.memberships_by_group(&users).await? };
        let groups = match by_group {
            Some(groups) => groups,
            None => self.memberships_by_user(&users).await?,
        };
        Ok(users.into_iter().zip(groups).map(|(user, groups)| to_wire(user, groups)).collect())
    }

    /// Each user's groups from the groups' member lists; `None` when that would take more calls
    /// than `users` has users.
    async fn memberships_by_group(&self, users: &[PoolUser]) -> Result<Option<Vec<Vec<String>>>, AuthError> {
        let budget = users.len();
        let pages_per_group = users.len().div_ceil(GROUP_LOOKUPS_IN_FLIGHT);
        let calls = Arc::new(AtomicUsize::new(0));
        let mut group_names = Vec::new();
        let mut next: Option<String> = None;
        loop {
            if !spend(&calls, budget) {
                return Ok(None);
            }
            let (page, token) = self.pool.list_groups(next.as_deref()).await.map_err(admin_error)?;
            group_names.extend(page);
            next = token;
            if next.is_none() {
                break;
            }
        }
        let index: Arc<HashMap<String, usize>> =
            Arc::new(users.iter().enumerate().map(|(i, user)| (user.username.clone(), i)).collect());
        let limit = Arc::new(tokio::sync::Semaphore::new(GROUP_LOOKUPS_IN_FLIGHT));
        let mut lookups = tokio::task::JoinSet::new();
        for (g, group) in group_names.iter().enumerate() {
            let (pool, limit, calls, index, group) =
                (self.pool.clone(), limit.clone(), calls.clone(), index.clone(), group.clone());
            // In the request's span, so its lines carry the request's trace id.
            lookups.spawn(
                async move {
                    let _permit = limit.acquire_owned().await;
                    let (mut members, mut next) = (Vec::new(), None::<String>);
                    for _ in 0..pages_per_group {
                        if !spend(&calls, budget) {
                            return Ok((g, None));
                        }
                        let (page, token) = pool.list_users_in_group(&group, next.as_deref()).await?;
                        members.extend(page.iter().filter_map(|username| index.get(username).copied()));
                        next = token;
                        if next.is_none() {
                            return Ok((g, Some(members)));
                        }
                    }
                    Ok((g, None))
                }
                .in_current_span(),
            );
        }
        let mut groups = vec![Vec::new(); users.len()];
        let mut members_of = vec![Vec::new(); group_names.len()];
        while let Some(done) = lookups.join_next().await {
            match done.map_err(|_| task_failed())? {
                Ok((g, Some(members))) => members_of[g] = members,
                // Over budget: the remaining lookups are dropped (aborted) with the set.
                Ok((_, None)) => return Ok(None),
                Err(err) => return Err(admin_error(err)),
            }
        }
        for (group, members) in group_names.into_iter().zip(members_of) {
            for i in members {
                groups[i].push(group.clone());
            }
        }
        Ok(Some(groups))
    }

    /// Each user's groups, one `AdminListGroupsForUser` per user, [`GROUP_LOOKUPS_IN_FLIGHT`] at a
    /// time.
    async fn memberships_by_user(&self, users: &[PoolUser]) -> Result<Vec<Vec<String>>, AuthError> {
        let limit = Arc::new(tokio::sync::Semaphore::new(GROUP_LOOKUPS_IN_FLIGHT));
        let mut lookups = tokio::task::JoinSet::new();
        for (i, user) in users.iter().enumerate() {
            let (pool, limit, username) = (self.pool.clone(), limit.clone(), user.username.clone());
            lookups.spawn(
                async move {
                    let _permit = limit.acquire_owned().await;
                    (i, pool.admin_groups(&username).await)
                }
                .in_current_span(),
            );
        }
        let mut groups = vec![Vec::new(); users.len()];
        while let Some(done) = lookups.join_next().await {
            let (i, found) = done.map_err(|_| task_failed())?;
            groups[i] = found.map_err(admin_error)?;
        }
        Ok(groups)
    }

    /// `POST /users`: creates the user, sets the email (verified when asked), adds them to the
    /// groups; a failure to add a group removes the user again, so nothing half-made is left.
    pub async fn create(&self, token: &CallerAccessToken, req: &CreateUserRequest) -> Result<User, AuthError> {
        self.confirm_admin(token).await?;
        let caller = token.caller();
        check_name("username", &req.username)?;
        if let Some(password) = &req.temporary_password {
            check_password("temporaryPassword", password.expose())?;
        }
        if req.groups.len() > GROUPS_MAX {
            return Err(AuthError::bad_input("groups", format!("at most {GROUPS_MAX} groups.")));
        }
        let mut groups: Vec<&str> = Vec::new();
        for group in &req.groups {
            check_name("groups", group)?;
            if !groups.contains(&group.as_str()) {
                groups.push(group);
            }
        }
        let mut attributes: Vec<(String, String)> = Vec::new();
        for (name, value) in &req.attributes {
            if matches!(name.as_str(), "sub" | "email" | "email_verified") {
                return Err(AuthError::bad_input(
                    format!("attributes.{name}"),
                    format!("{name} is set by its own field."),
                ));
            }
            // The same rules as a sign-up's attributes, an empty value included (input.rs).
            let field = format!("attributes.{name}");
            check_attribute_name(&field, name)?;
            check_attribute_value(&field, name, value)?;
            attributes.push((name.clone(), value.clone()));
        }
        // The email: its own field, or the username when that is an address (the pool signs in
        // with the email); a 400 names the field the client sent it in.
        let email = match &req.email {
            Some(email) => Some(("email", email)),
            None => req.username.contains('@').then_some(("username", &req.username)),
        };
        if let Some((field, email)) = email {
            check_email(field, email)?;
            attributes.push(("email".into(), email.clone()));
        }
        if let Some(verified) = req.email_verified {
            attributes.push(("email_verified".into(), verified.to_string()));
        }
        let new = NewUser {
            username: req.username.clone(),
            attributes,
            temporary_password: req.temporary_password.clone(),
            send_invite: req.send_invite.unwrap_or(true),
        };
        // Unknown groups are refused before anything is created (or any invitation sent).
        for group in &groups {
            if !self.pool.group_exists(group).await.map_err(admin_error)? {
                return Err(AuthError::UnknownGroup);
            }
        }
        let user =
            self.pool.admin_create_user(&new).await.map_err(|err| admin_error(err).in_field("temporaryPassword"))?;
        Self::audit(caller, "create", &user.username, &format!("created; groups [{}]", groups.join(",")));
        // From here on the user exists. Adding the groups, and removing the user again if one
        // cannot be added, runs to its end on a task of its own: the handler's deadline (or a
        // client going away) drops this future, and must not leave a half-created user.
        let (pool, caller, username) = (self.pool.clone(), caller.clone(), user.username.clone());
        let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        // In the request's span: the rollback's lines carry the request's trace id.
        let added = tokio::spawn(
            async move { Self::add_groups_or_roll_back(pool.as_ref(), &caller, &username, &groups).await }
                .in_current_span(),
        );
        added.await.map_err(|err| {
            AuthError::Upstream(CognitoError {
                kind: crate::CognitoErrorKind::Other,
                code: "GroupTaskFailed".into(),
                message: err.to_string(),
            })
        })??;
        self.view(user).await
    }

    /// `GET /users`: a page, filtered by exact email or by status (one at a time).
    pub async fn list(&self, token: &CallerAccessToken, query: &UserQuery) -> Result<UserList, AuthError> {
        self.confirm_admin(token).await?;
        let limit = match &query.limit {
            None => DEFAULT_PAGE,
            Some(v) => v
                .parse::<i32>()
                .ok()
                .filter(|l| usize::try_from(*l).is_ok_and(|l| (1..=PAGE_SIZE_MAX).contains(&l)))
                .ok_or_else(|| {
                    AuthError::bad_input("limit", format!("limit must be a whole number from 1 to {PAGE_SIZE_MAX}."))
                })?,
        };
        if let Some(next) = &query.next {
            check_text("next", next, PAGINATION_TOKEN_MAX_CHARS)?;
        }
        let filter = match (&query.email, &query.status) {
            (Some(_), Some(_)) => {
                return Err(AuthError::bad_input("status", "Filter by email or by status, not both."));
            }
            (Some(email), None) => {
                check_filter_value("email", email)?;
                let filter = format!("email = {}", filter_value(email));
                // Never true with LIST_EMAIL_MAX_CHARS; kept should either limit change.
                if filter.chars().count() > LIST_FILTER_MAX_CHARS {
                    return Err(AuthError::bad_input("email", "email is too long to filter by."));
                }
                Some(filter)
            }
            (None, Some(status)) => {
                if !STATUSES.contains(&status.as_str()) {
                    return Err(AuthError::bad_input(
                        "status",
                        format!("status must be one of {}.", STATUSES.join(", ")),
                    ));
                }
                Some(format!("cognito:user_status = {}", filter_value(status)))
            }
            (None, None) => None,
        };
        let (users, next) =
            self.pool.list_users(limit, query.next.as_deref(), filter.as_deref()).await.map_err(|err| {
                // With a page token, a refused parameter is that token (the table's
                // `ListUsersPage` rows).
                let call = if query.next.is_some() { CognitoCall::ListUsersPage } else { CognitoCall::Admin };
                AuthError::from_cognito(call, err)
            })?;
        Ok(UserList { users: self.views(users).await?, next })
    }

    /// `GET /users/{username}`.
    pub async fn get(&self, token: &CallerAccessToken, username: &str) -> Result<User, AuthError> {
        self.confirm_admin(token).await?;
        check_name("username", username)?;
        let user = self.pool.admin_get_user(username).await.map_err(admin_error)?;
        self.view(user).await
    }

    /// Delete, disable, enable, reset the password of or sign out everywhere a user. Deleting
    /// and disabling an enabled user sign them out first, a password reset after, and enabling
    /// after. Acting on oneself is
    /// [`AuthError::SelfAction`]; deleting, disabling or resetting another admin,
    /// [`AuthError::OtherAdmin`] (signing one out is allowed: it takes nothing over).
    pub async fn act(&self, token: &CallerAccessToken, action: AdminAction, username: &str) -> Result<(), AuthError> {
        self.confirm_admin(token).await?;
        let caller = token.caller();
        check_name("username", username)?;
        let target = self.pool.admin_get_user(username).await.map_err(admin_error)?;
        let name = match action {
            AdminAction::Delete => "delete",
            AdminAction::Disable => "disable",
            AdminAction::Enable => "enable",
            AdminAction::ResetPassword => "reset-password",
            AdminAction::SignOut => "sign-out",
        };
        // Nobody acts on their own account here (enabling oneself included).
        Self::refuse_self(caller, name, &target)?;
        if !matches!(action, AdminAction::Enable | AdminAction::SignOut) {
            self.refuse_other_admin(caller, name, &target).await?;
        }
        let whom = &target.username;
        // Only an enabled user is signed out (Cognito may refuse a disabled one, who cannot
        // refresh anyway): before a deletion or a disabling, after a password reset; and every
        // user enabled again, whose tokens from before (a disabling outside the API, say) end.
        let (before, after) = match action {
            AdminAction::Delete | AdminAction::Disable => (target.enabled, false),
            AdminAction::ResetPassword => (false, target.enabled),
            AdminAction::Enable => (false, true),
            AdminAction::SignOut => (false, false),
        };
        let result = async {
            if before {
                self.pool.admin_user_action(AdminAction::SignOut, whom).await?;
            }
            self.pool.admin_user_action(action, whom).await?;
            if after {
                self.pool.admin_user_action(AdminAction::SignOut, whom).await?;
            }
            Ok(())
        }
        .await
        .map_err(admin_error);
        Self::audit(caller, name, whom, if result.is_ok() { "done" } else { "failed" });
        result
    }

    /// Sends the invitation again with a new temporary password (`AdminCreateUser`,
    /// `MessageAction` `RESEND`), for someone who has not signed in yet: any other user is a
    /// 409 ([`AuthError::StateConflict`]), an unknown one a 404.
    pub async fn resend_invitation(&self, token: &CallerAccessToken, username: &str) -> Result<(), AuthError> {
        self.confirm_admin(token).await?;
        let caller = token.caller();
        check_name("username", username)?;
        let target = self.pool.admin_get_user(username).await.map_err(admin_error)?;
        if target.status != "FORCE_CHANGE_PASSWORD" {
            Self::audit(caller, "resend-invitation", &target.username, "refused: already signed in");
            return Err(AuthError::StateConflict(
                "Only a user who has not signed in yet can be invited again.".to_owned(),
            ));
        }
        let result = self.pool.admin_resend_invitation(&target.username).await.map_err(admin_error);
        Self::audit(caller, "resend-invitation", &target.username, if result.is_ok() { "done" } else { "failed" });
        result
    }

    /// Adds a user to a group or removes them from it, as `change` says. A removal signs them
    /// out everywhere: their tokens would name the group until they expire.
    pub async fn membership(
        &self,
        token: &CallerAccessToken,
        username: &str,
        group: &str,
        change: MembershipChange,
    ) -> Result<(), AuthError> {
        self.confirm_admin(token).await?;
        let caller = token.caller();
        check_name("username", username)?;
        check_name("group", group)?;
        let target = self.pool.admin_get_user(username).await.map_err(admin_error)?;
        let action = match change {
            MembershipChange::Add => "add-to-group",
            MembershipChange::Remove => "remove-from-group",
        };
        if change == MembershipChange::Remove && group == self.admin_group {
            Self::refuse_self(caller, action, &target)?;
            self.refuse_other_admin(caller, action, &target).await?;
        }
        let result = async {
            self.pool.admin_group_membership(&target.username, group, change).await?;
            if change == MembershipChange::Remove && target.enabled {
                self.pool.admin_user_action(AdminAction::SignOut, &target.username).await?;
            }
            Ok(())
        }
        .await
        .map_err(admin_error);
        let whom = format!("{}:{group}", target.username);
        Self::audit(caller, action, &whom, if result.is_ok() { "done" } else { "failed" });
        result
    }

    /// Sets a user's password (temporary unless `permanent`), then signs them out everywhere.
    pub async fn set_password(
        &self,
        token: &CallerAccessToken,
        username: &str,
        req: &SetPasswordRequest,
    ) -> Result<(), AuthError> {
        self.confirm_admin(token).await?;
        let caller = token.caller();
        check_name("username", username)?;
        check_password("password", req.password.expose())?;
        let target = self.pool.admin_get_user(username).await.map_err(admin_error)?;
        let permanence = if req.permanent { PasswordPermanence::Permanent } else { PasswordPermanence::Temporary };
        let action = match permanence {
            PasswordPermanence::Permanent => "set-password",
            PasswordPermanence::Temporary => "set-temporary-password",
        };
        // Their own password admins change with /password/change, which asks for the current one.
        Self::refuse_self(caller, action, &target)?;
        self.refuse_other_admin(caller, action, &target).await?;
        let result = async {
            self.pool.admin_set_password(&target.username, req.password.expose(), permanence).await?;
            if target.enabled {
                self.pool.admin_user_action(AdminAction::SignOut, &target.username).await?;
            }
            Ok(())
        }
        .await
        .map_err(admin_error);
        Self::audit(caller, action, &target.username, if result.is_ok() { "done" } else { "failed" });
        result
    }
}

fn to_wire(user: PoolUser, mut groups: Vec<String>) -> User {
    // One order whichever call listed them.
    groups.sort();
    let attribute = |name: &str| user.attributes.get(name).cloned().unwrap_or_default();
    User {
        sub: attribute("sub"),
        email: attribute("email"),
        email_verified: attribute("email_verified") == "true",
        status: user.status.clone(),
        enabled: user.enabled,
        created_at: user.created_at.clone(),
        updated_at: user.updated_at.clone(),
        groups,
        attributes: user.attributes.clone().into_iter().collect::<BTreeMap<_, _>>(),
        username: user.username,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        testing::{Call, ScriptedPool, ScriptedReply, caller_token_in, error},
        user_pool::AccountUser,
    };

    /// The access token of the caller `admin-sub`, whose authorizer context lists `groups`.
    fn caller(groups: &[&str]) -> CallerAccessToken {
        caller_token_in("admin-sub", groups)
    }

    /// Whether `call` only read (the live admin check, the target, their groups): nothing changed.
    fn reads(call: &Call) -> bool {
        matches!(call, Call::GetUser(_) | Call::AdminGetUser(_) | Call::AdminGroups(_))
    }

    fn user(sub: &str) -> Result<ScriptedReply, CognitoError> {
        let attributes = [("sub", sub), ("email", "x@example.com"), ("email_verified", "true")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Ok(ScriptedReply::User(PoolUser {
            username: sub.into(),
            attributes,
            status: "CONFIRMED".into(),
            enabled: true,
            ..Default::default()
        }))
    }

    /// `GetUser`'s answer for the caller's access token: the session lives, as `admin-sub`.
    fn session_of(username: &str) -> Result<ScriptedReply, CognitoError> {
        Ok(ScriptedReply::Account(AccountUser { username: username.into(), ..Default::default() }))
    }

    /// The two answers of the live admin check ([`AdminService::confirm_admin`]): the caller's
    /// session lives and they are in the admins group.
    fn live() -> Vec<Result<ScriptedReply, CognitoError>> {
        vec![session_of("admin-sub"), groups(&["admins"])]
    }

    /// `live()` before each call's own replies.
    fn calls(replies: &[Vec<Result<ScriptedReply, CognitoError>>]) -> Vec<Result<ScriptedReply, CognitoError>> {
        replies.iter().flat_map(|own| live().into_iter().chain(own.iter().cloned())).collect()
    }

    fn service(replies: Vec<Result<ScriptedReply, CognitoError>>) -> (AdminService, Arc<ScriptedPool>) {
        let pool = Arc::new(ScriptedPool::new(replies));
        (AdminService::new(pool.clone(), pool.clone(), "admins"), pool)
    }

    fn pool_users(names: &[&str]) -> Vec<PoolUser> {
        names.iter().map(|name| PoolUser { username: (*name).into(), enabled: true, ..Default::default() }).collect()
    }

    fn names(list: &[&str], next: Option<&str>) -> Result<ScriptedReply, CognitoError> {
        Ok(ScriptedReply::Names(list.iter().map(|n| n.to_string()).collect(), next.map(Into::into)))
    }

    fn groups_of(list: &UserList) -> Vec<Vec<String>> {
        list.users.iter().map(|user| user.groups.clone()).collect()
    }

    #[tokio::test]
    async fn a_page_reads_its_memberships_group_by_group_in_a_few_calls() {
        // GIVEN a page of four users, and a pool with two groups
        let (svc, pool) = service(calls(&[vec![
            Ok(ScriptedReply::Users(pool_users(&["u1", "u2", "u3", "u4"]), None)),
            names(&["staff", "admins"], None),
            names(&["u2", "u4", "not-on-this-page"], None),
            names(&["u2"], None),
        ]]));
        // WHEN an admin lists them
        let list = svc.list(&caller(&["admins"]), &UserQuery::default()).await.unwrap();
        // THEN each user has its groups, in one order
        let none: Vec<String> = Vec::new();
        assert_eq!(groups_of(&list), [none.clone(), vec!["admins".into(), "staff".into()], none, vec!["staff".into()]]);
        // AND the page cost one call per group, not one per user (after the live admin check)
        assert_eq!(
            pool.calls()[2..],
            [
                Call::ListUsers(20, None, None),
                Call::ListGroups(None),
                Call::ListUsersInGroup("staff".into(), None),
                Call::ListUsersInGroup("admins".into(), None),
            ]
        );
    }

    #[tokio::test]
    async fn groups_too_large_to_read_within_the_per_user_cost_are_looked_up_per_user() {
        // GIVEN a page of three users, and one group whose members fill page after page
        let (svc, pool) = service(calls(&[vec![
            Ok(ScriptedReply::Users(pool_users(&["u1", "u2", "u3"]), None)),
            names(&["customers"], None),
            names(&["u1"], Some("t1")),
            Ok(ScriptedReply::Groups(vec!["customers".into()])),
            Ok(ScriptedReply::Groups(vec![])),
            Ok(ScriptedReply::Groups(vec!["customers".into()])),
        ]]));
        // WHEN an admin lists them
        let list = svc.list(&caller(&["admins"]), &UserQuery::default()).await.unwrap();
        // THEN reading the group stops once it takes more pages than the per-user way takes rounds
        // (one, for three users), and each user is looked up
        let calls = pool.calls();
        assert_eq!(calls.iter().filter(|c| matches!(c, Call::ListGroups(_) | Call::ListUsersInGroup(..))).count(), 2);
        assert_eq!(calls.iter().filter(|c| matches!(c, Call::AdminGroups(_))).count(), 3 + 1);
        let customers = vec!["customers".to_string()];
        assert_eq!(groups_of(&list), [customers.clone(), vec![], customers]);
    }

    #[tokio::test]
    async fn a_page_of_two_is_looked_up_per_user() {
        let (svc, pool) = service(calls(&[vec![
            Ok(ScriptedReply::Users(pool_users(&["u1", "u2"]), None)),
            Ok(ScriptedReply::Groups(vec!["staff".into(), "admins".into()])),
            Ok(ScriptedReply::Groups(vec![])),
        ]]));
        let list = svc.list(&caller(&["admins"]), &UserQuery::default()).await.unwrap();
        assert_eq!(groups_of(&list), [vec!["admins".to_string(), "staff".into()], vec![]]);
        assert!(!pool.calls().iter().any(|c| matches!(c, Call::ListGroups(_))));
    }

    #[test]
    fn filter_values_cannot_close_the_quotes() {
        assert_eq!(filter_value("a@b.c"), r#""a@b.c""#);
        assert_eq!(filter_value(r#"x" or email ^= ""#), r#""x\" or email ^= \"""#);
        assert_eq!(filter_value(r"back\slash"), r#""back\\slash""#);
    }

    #[tokio::test]
    async fn a_caller_outside_the_admins_group_is_refused_before_cognito() {
        let (svc, pool) = service(vec![]);
        let staff = caller(&["staff", "admins-readonly"]);
        assert!(matches!(svc.get(&staff, "u").await, Err(AuthError::NotAdmin)));
        assert!(matches!(svc.list(&staff, &UserQuery::default()).await, Err(AuthError::NotAdmin)));
        assert!(matches!(svc.act(&staff, AdminAction::Delete, "u").await, Err(AuthError::NotAdmin)));
        assert!(pool.calls().is_empty());
    }

    #[tokio::test]
    async fn an_admin_cannot_delete_or_disable_themself() {
        let (svc, pool) = service(calls(&[vec![user("admin-sub")], vec![user("admin-sub")]]));
        let admin = caller(&["admins"]);
        assert!(matches!(svc.act(&admin, AdminAction::Delete, "admin@example.com").await, Err(AuthError::SelfAction)));
        assert!(matches!(svc.act(&admin, AdminAction::Disable, "admin@example.com").await, Err(AuthError::SelfAction)));
        assert!(pool.calls().iter().all(reads));
    }

    #[tokio::test]
    async fn an_admin_removed_from_the_admins_group_has_no_powers_though_their_token_still_says_admins() {
        // GIVEN a live session whose person Cognito no longer lists in the admins group
        let admin = caller(&["admins"]);
        let (svc, pool) = service(vec![session_of("admin-sub"), groups(&["staff"])]);
        // WHEN they act
        let refused = svc.act(&admin, AdminAction::Enable, "someone").await;
        // THEN it is refused (403), after asking about the person Cognito says the token is
        // for, and nothing else was called
        assert!(matches!(refused, Err(AuthError::NotAdmin)), "{refused:?}");
        assert_eq!(pool.calls(), [Call::GetUser(admin.expose().into()), Call::AdminGroups("admin-sub".into())]);
    }

    #[tokio::test]
    async fn an_admin_whose_session_ended_is_refused_as_an_invalid_access_token_and_nothing_else_is_called() {
        // GIVEN an admin's access token Cognito refuses: signed out (by themself or another
        // admin), password changed, disabled ("NotAuthorizedException"), or deleted
        for code in ["NotAuthorizedException", "UserNotFoundException"] {
            let admin = caller(&["admins"]);
            let (svc, pool) = service(vec![Err(error(code))]);
            // WHEN they act
            let refused = svc.act(&admin, AdminAction::Delete, "someone").await;
            // THEN the answer is a 401 and the live check was the only call
            let err = refused.unwrap_err();
            assert!(matches!(err, AuthError::InvalidAccessToken), "{code}: {err:?}");
            assert_eq!(api_types::ApiError::from(err).status(), 401, "{code}");
            assert_eq!(pool.calls(), [Call::GetUser(admin.expose().into())], "{code}");
        }
    }

    #[tokio::test]
    async fn nobody_enables_themself() {
        let (svc, _) = service(calls(&[vec![user("admin-sub")]]));
        let refused = svc.act(&caller(&["admins"]), AdminAction::Enable, "admin@example.com").await;
        assert!(matches!(refused, Err(AuthError::SelfAction)), "{refused:?}");
    }

    #[tokio::test]
    async fn unknown_users_are_404_on_admin_routes() {
        let (svc, _) = service(calls(&[vec![Err(error("UserNotFoundException"))]]));
        let err = svc.get(&caller(&["admins"]), "nobody").await.unwrap_err();
        assert_eq!(api_types::ApiError::from(err).status(), 404);
    }

    #[tokio::test]
    async fn list_filters_by_one_escaped_value_and_checks_its_query() {
        let (svc, pool) =
            service(calls(&[vec![Ok(ScriptedReply::Users(vec![], None))], vec![], vec![], vec![], vec![]]));
        let admin = caller(&["admins"]);
        let query = UserQuery { email: Some(r#"a"b@example.com"#.into()), ..Default::default() };
        svc.list(&admin, &query).await.unwrap();
        assert_eq!(pool.calls()[2], Call::ListUsers(20, None, Some(r#"email = "a\"b@example.com""#.into())));
        for (query, field) in [
            (UserQuery { limit: Some("0".into()), ..Default::default() }, "limit"),
            (UserQuery { limit: Some("61".into()), ..Default::default() }, "limit"),
            (UserQuery { status: Some("ACTIVE".into()), ..Default::default() }, "status"),
            (UserQuery { email: Some("a".into()), status: Some("CONFIRMED".into()), ..Default::default() }, "status"),
        ] {
            assert!(matches!(svc.list(&admin, &query).await, Err(AuthError::BadInput { field: f, .. }) if f == field));
        }
    }

    #[tokio::test]
    async fn a_user_whose_group_cannot_be_added_is_removed_again() {
        // The group exists when checked, but adding fails (deleted meanwhile, say).
        let (svc, pool) = service(calls(&[vec![
            Ok(ScriptedReply::Done),
            user("new-sub"),
            Err(error("ResourceNotFoundException")),
            Ok(ScriptedReply::Done),
        ]]));
        let req: CreateUserRequest =
            serde_json::from_value(serde_json::json!({"username": "new@example.com", "groups": ["no-such-group"]}))
                .unwrap();
        assert!(matches!(svc.create(&caller(&["admins"]), &req).await, Err(AuthError::UnknownGroup)));
        assert_eq!(pool.calls()[5], Call::AdminAction(AdminAction::Delete, "new-sub".into()));
    }

    // Paused time: the latencies, the deadline and the wait are virtual, so a loaded machine
    // cannot reorder them.
    #[tokio::test(start_paused = true)]
    async fn a_deadline_between_creating_and_adding_the_groups_still_rolls_back() {
        // GIVEN a slow Cognito (100 ms a call) on which adding the group fails
        let pool = Arc::new(
            ScriptedPool::new(calls(&[vec![
                Ok(ScriptedReply::Done),
                user("new-sub"),
                Err(error("ResourceNotFoundException")),
                Ok(ScriptedReply::Done),
            ]]))
            .with_latency(std::time::Duration::from_millis(100)),
        );
        let svc = AdminService::new(pool.clone(), pool.clone(), "admins");
        let req: CreateUserRequest =
            serde_json::from_value(serde_json::json!({"username": "new@example.com", "groups": ["staff"]})).unwrap();
        // WHEN the handler's deadline drops the request after the user exists (the live admin
        // check, the group check and the creation take 400 ms; the membership call is under way at 450 ms)
        let cut =
            tokio::time::timeout(std::time::Duration::from_millis(450), svc.create(&caller(&["admins"]), &req)).await;
        assert!(cut.is_err(), "the deadline fired first");
        // THEN the steps after the creation still run to their end: the user is removed again
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        assert_eq!(pool.calls().last(), Some(&Call::AdminAction(AdminAction::Delete, "new-sub".into())));
    }

    // One thread (tokio::test's default): the spawned task runs where the subscriber is set.
    #[tokio::test]
    async fn the_rollback_on_a_task_of_its_own_logs_with_the_requests_trace_id() {
        // GIVEN lines written as lambda_runtime writes them (JSON, with the current span), and a
        // pool on which adding the group and then removing the user both fail
        let captured = crate::testing::CapturedLog::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt().json().with_writer(move || writer.clone()).finish();
        let _default = tracing::subscriber::set_default(subscriber);
        let (svc, _) = service(calls(&[vec![
            Ok(ScriptedReply::Done),
            user("new-sub"),
            Err(error("ResourceNotFoundException")),
            Err(error("InternalErrorException")),
        ]]));
        let req: CreateUserRequest =
            serde_json::from_value(serde_json::json!({"username": "new@example.com", "groups": ["staff"]})).unwrap();
        // WHEN the request runs in the span lambda_runtime opens for an invocation
        let span = tracing::info_span!("Lambda runtime invoke", requestId = "req-1", xrayTraceId = "Root=1-test");
        assert!(svc.create(&caller(&["admins"]), &req).instrument(span).await.is_err());
        // THEN the lines the spawned rollback wrote carry the trace id, as every other line does
        let text = captured.text();
        assert!(text.contains("could not remove a half-created user"), "{text}");
        for line in text.lines() {
            assert!(line.contains(r#""xrayTraceId":"Root=1-test""#), "{line}");
        }
    }

    #[tokio::test]
    async fn a_new_users_name_password_and_attributes_are_held_to_cognitos_formats_before_anything_is_created() {
        // GIVEN requests Cognito would refuse (AdminCreateUser's patterns, the attributes' formats)
        let bodies = [
            (serde_json::json!({"username": " new@example.com"}), "username"),
            (
                serde_json::json!({"username": "new@example.com", "temporaryPassword": "Temp-passw0rd1 "}),
                "temporaryPassword",
            ),
            (
                serde_json::json!({"username": "pat", "attributes": {"phone_number": "+1 425 555 1212"}}),
                "attributes.phone_number",
            ),
            (
                serde_json::json!({"username": "pat", "attributes": {"favourite_colour": "blue"}}),
                "attributes.favourite_colour",
            ),
            (serde_json::json!({"username": "pat", "email": "not-an-address"}), "email"),
            // A username that is not an address, though it has an `@`: the 400 names the field sent.
            (serde_json::json!({"username": "pat@@example.com"}), "username"),
            (serde_json::json!({"username": "pat", "attributes": {"phone_number": ""}}), "attributes.phone_number"),
            (serde_json::json!({"username": "new@example.com", "groups": ["two words"]}), "groups"),
        ];
        let (svc, pool) = service(calls(&vec![vec![]; bodies.len()]));
        for (body, field) in bodies {
            // WHEN an admin creates the user, THEN a 400 names the field
            let req: CreateUserRequest = serde_json::from_value(body.clone()).unwrap();
            let err = svc.create(&caller(&["admins"]), &req).await.unwrap_err();
            assert!(matches!(&err, AuthError::BadInput { field: f, .. } if f == field), "{body}: {err:?}");
        }
        // ... and nothing reached Cognito but the live admin checks.
        assert!(pool.calls().iter().all(|c| matches!(c, Call::GetUser(_) | Call::AdminGroups(_))));
    }

    #[tokio::test]
    async fn unknown_groups_are_refused_before_the_user_is_created() {
        let (svc, pool) = service(calls(&[vec![Ok(ScriptedReply::Done), Err(error("ResourceNotFoundException"))]]));
        let req: CreateUserRequest = serde_json::from_value(serde_json::json!({
            "username": "new@example.com", "groups": ["admins", "admins", "no-such-group"]
        }))
        .unwrap();
        assert!(matches!(svc.create(&caller(&["admins"]), &req).await, Err(AuthError::UnknownGroup)));
        // Deduplicated, checked, and nothing created.
        assert_eq!(
            pool.calls()[2..],
            [Call::GetGroup("admins".into()), Call::GetGroup("no-such-group".into())],
            "after the live admin check"
        );
    }

    #[tokio::test]
    async fn an_admin_cannot_reset_or_set_their_own_password_or_leave_the_admins_group() {
        let (svc, pool) = service(calls(&[vec![user("admin-sub")], vec![user("admin-sub")], vec![user("admin-sub")]]));
        let admin = caller(&["admins"]);
        assert!(matches!(svc.act(&admin, AdminAction::ResetPassword, "me").await, Err(AuthError::SelfAction)));
        assert!(matches!(
            svc.membership(&admin, "me", "admins", MembershipChange::Remove).await,
            Err(AuthError::SelfAction)
        ));
        let set = SetPasswordRequest { password: "New-passw0rd".into(), permanent: true };
        assert!(matches!(svc.set_password(&admin, "me", &set).await, Err(AuthError::SelfAction)));
        assert!(pool.calls().iter().all(reads));
    }

    #[tokio::test]
    async fn cognito_refusing_an_action_for_the_users_state_is_a_409() {
        let (svc, _) = service(calls(&[vec![user("other-sub"), groups(&[]), Err(error("NotAuthorizedException"))]]));
        let err = svc.act(&caller(&["admins"]), AdminAction::ResetPassword, "other").await.unwrap_err();
        assert_eq!(api_types::ApiError::from(err).status(), 409);
    }

    fn groups(names: &[&str]) -> Result<ScriptedReply, CognitoError> {
        Ok(ScriptedReply::Groups(names.iter().map(|g| g.to_string()).collect()))
    }

    #[tokio::test]
    async fn an_admin_cannot_take_over_or_remove_another_admin() {
        // GIVEN another member of the admins group
        let admin = caller(&["admins"]);
        let set = SetPasswordRequest { password: "Taken-over1!".into(), permanent: true };
        for attempt in 0..5 {
            let (svc, pool) = service(calls(&[vec![user("other-admin-sub"), groups(&["admins"])]]));
            // WHEN an admin tries to delete, disable, reset, set the password of or demote them
            let result = match attempt {
                0 => svc.act(&admin, AdminAction::Delete, "other").await,
                1 => svc.act(&admin, AdminAction::Disable, "other").await,
                2 => svc.act(&admin, AdminAction::ResetPassword, "other").await,
                3 => svc.set_password(&admin, "other", &set).await,
                _ => svc.membership(&admin, "other", "admins", MembershipChange::Remove).await,
            };
            // THEN it is refused (403) and nothing changed at Cognito
            let err = result.unwrap_err();
            assert!(matches!(err, AuthError::OtherAdmin), "{attempt}: {err:?}");
            assert_eq!(api_types::ApiError::from(err).status(), 403);
            assert!(pool.calls().iter().all(reads), "{attempt}");
        }
    }

    #[tokio::test]
    async fn enabling_another_admin_needs_no_group_lookup_and_ends_the_sessions_from_before() {
        // GIVEN another admin, disabled (perhaps outside the API, with sessions left alive)
        let (svc, pool) =
            service(calls(&[vec![user("other-admin-sub"), Ok(ScriptedReply::Done), Ok(ScriptedReply::Done)]]));
        // WHEN an admin enables them
        svc.act(&caller(&["admins"]), AdminAction::Enable, "other").await.unwrap();
        // THEN nobody's groups were looked up, and once enabled their old sessions end
        assert_eq!(
            pool.calls()[2..],
            [
                Call::AdminGetUser("other".into()),
                Call::AdminAction(AdminAction::Enable, "other-admin-sub".into()),
                Call::AdminAction(AdminAction::SignOut, "other-admin-sub".into()),
            ]
        );
    }

    #[tokio::test]
    async fn disabling_or_deleting_a_user_signs_them_out_everywhere_first() {
        for action in [AdminAction::Disable, AdminAction::Delete] {
            // GIVEN a user outside the admins group
            let (svc, pool) = service(calls(&[vec![
                user("plain-sub"),
                groups(&["readers"]),
                Ok(ScriptedReply::Done),
                Ok(ScriptedReply::Done),
            ]]));
            // WHEN an admin disables or deletes them
            svc.act(&caller(&["admins"]), action, "plain").await.unwrap();
            // THEN their sessions end before the account does, while Cognito still knows them
            assert_eq!(
                pool.calls()[4..],
                [
                    Call::AdminAction(AdminAction::SignOut, "plain-sub".into()),
                    Call::AdminAction(action, "plain-sub".into()),
                ],
                "{action:?}"
            );
        }
    }

    #[tokio::test]
    async fn deleting_a_disabled_user_needs_no_sign_out_first() {
        // GIVEN a user already disabled (signed out then, and unable to refresh since)
        let mut disabled = user("plain-sub");
        if let Ok(ScriptedReply::User(u)) = &mut disabled {
            u.enabled = false;
        }
        let (svc, pool) = service(calls(&[vec![disabled, groups(&["readers"]), Ok(ScriptedReply::Done)]]));
        // WHEN an admin deletes them
        svc.act(&caller(&["admins"]), AdminAction::Delete, "plain").await.unwrap();
        // THEN only the deletion reaches Cognito
        assert_eq!(pool.calls()[4..], [Call::AdminAction(AdminAction::Delete, "plain-sub".into())]);
    }

    #[tokio::test]
    async fn a_sign_out_that_fails_stops_the_disabling_and_is_reported() {
        // GIVEN a user whose sessions Cognito fails to end
        let (svc, pool) = service(calls(&[vec![user("plain-sub"), groups(&[]), Err(error("InternalErrorException"))]]));
        // WHEN an admin disables them
        let err = svc.act(&caller(&["admins"]), AdminAction::Disable, "plain").await.unwrap_err();
        // THEN the failure is answered, and the account was left as it was
        assert!(matches!(err, AuthError::Upstream(_)), "{err:?}");
        assert!(!pool.calls().contains(&Call::AdminAction(AdminAction::Disable, "plain-sub".into())));
    }

    #[tokio::test]
    async fn resetting_a_users_password_signs_them_out_everywhere_after() {
        // GIVEN a user outside the admins group
        let (svc, pool) =
            service(calls(&[vec![user("plain-sub"), groups(&[]), Ok(ScriptedReply::Done), Ok(ScriptedReply::Done)]]));
        // WHEN an admin resets their password
        svc.act(&caller(&["admins"]), AdminAction::ResetPassword, "plain").await.unwrap();
        // THEN the sessions the old password opened end after it
        assert_eq!(
            pool.calls()[4..],
            [
                Call::AdminAction(AdminAction::ResetPassword, "plain-sub".into()),
                Call::AdminAction(AdminAction::SignOut, "plain-sub".into()),
            ]
        );
    }

    #[tokio::test]
    async fn setting_a_users_password_signs_them_out_everywhere_after() {
        // GIVEN a user outside the admins group
        let (svc, pool) =
            service(calls(&[vec![user("plain-sub"), groups(&[]), Ok(ScriptedReply::Done), Ok(ScriptedReply::Done)]]));
        // WHEN an admin sets their password
        let set = SetPasswordRequest { password: "New-passw0rd".into(), permanent: false };
        svc.set_password(&caller(&["admins"]), "plain", &set).await.unwrap();
        // THEN the password is set, then their sessions end
        assert_eq!(
            pool.calls()[4..],
            [
                Call::AdminSetPassword("plain-sub".into(), "New-passw0rd".into(), PasswordPermanence::Temporary),
                Call::AdminAction(AdminAction::SignOut, "plain-sub".into()),
            ]
        );
    }

    #[tokio::test]
    async fn removing_a_user_from_a_group_signs_them_out_everywhere_after_and_adding_one_does_not() {
        // GIVEN a user outside the admins group
        let (svc, pool) = service(calls(&[
            vec![user("plain-sub"), Ok(ScriptedReply::Done), Ok(ScriptedReply::Done)],
            vec![user("plain-sub"), Ok(ScriptedReply::Done)],
        ]));
        let admin = caller(&["admins"]);
        // WHEN an admin removes them from a group, then adds them to one
        svc.membership(&admin, "plain", "staff", MembershipChange::Remove).await.unwrap();
        svc.membership(&admin, "plain", "staff", MembershipChange::Add).await.unwrap();
        // THEN the removal ended the sessions whose tokens still name the group; the addition did not
        let writes: Vec<Call> = pool.calls().into_iter().filter(|c| !reads(c)).collect();
        assert_eq!(
            writes,
            [
                Call::GroupMembership("plain-sub".into(), "staff".into(), MembershipChange::Remove),
                Call::AdminAction(AdminAction::SignOut, "plain-sub".into()),
                Call::GroupMembership("plain-sub".into(), "staff".into(), MembershipChange::Add),
            ]
        );
    }

    #[tokio::test]
    async fn an_admin_may_sign_another_admin_out_everywhere() {
        // GIVEN another member of the admins group
        let (svc, pool) = service(calls(&[vec![user("other-admin-sub"), Ok(ScriptedReply::Done)]]));
        // WHEN an admin signs them out
        svc.act(&caller(&["admins"]), AdminAction::SignOut, "other").await.unwrap();
        // THEN Cognito ends their sessions, with no group lookup (a sign-out takes nothing over)
        assert_eq!(
            pool.calls()[2..],
            [Call::AdminGetUser("other".into()), Call::AdminAction(AdminAction::SignOut, "other-admin-sub".into())]
        );
    }

    #[tokio::test]
    async fn an_admin_cannot_sign_themself_out_through_the_admin_route() {
        // GIVEN the admin's own account as the target
        let (svc, pool) = service(calls(&[vec![user("admin-sub")]]));
        // WHEN they sign it out through the admin route
        let refused = svc.act(&caller(&["admins"]), AdminAction::SignOut, "me").await;
        // THEN it is refused (409; /auth/sign-out is theirs) and nothing changed
        let err = refused.unwrap_err();
        assert!(matches!(err, AuthError::SelfAction), "{err:?}");
        assert_eq!(api_types::ApiError::from(err).status(), 409);
        assert!(pool.calls().iter().all(reads));
    }

    fn invited(status: &str) -> Result<ScriptedReply, CognitoError> {
        Ok(ScriptedReply::User(PoolUser {
            username: "new-sub".into(),
            status: status.into(),
            enabled: true,
            ..Default::default()
        }))
    }

    #[tokio::test]
    async fn an_invitation_is_sent_again_to_a_user_who_has_not_signed_in_yet() {
        // GIVEN a user still on their temporary password
        let (svc, pool) = service(calls(&[vec![invited("FORCE_CHANGE_PASSWORD"), Ok(ScriptedReply::Done)]]));
        // WHEN an admin sends the invitation again
        svc.resend_invitation(&caller(&["admins"]), "new@example.com").await.unwrap();
        // THEN Cognito sends it to the user it knows
        assert_eq!(
            pool.calls()[2..],
            [Call::AdminGetUser("new@example.com".into()), Call::ResendInvitation("new-sub".into())]
        );
    }

    #[tokio::test]
    async fn an_invitation_is_not_sent_again_to_a_user_who_has_signed_in() {
        for status in ["CONFIRMED", "RESET_REQUIRED", "UNCONFIRMED"] {
            // GIVEN a user past their temporary password (or who signed up themself)
            let (svc, pool) = service(calls(&[vec![invited(status)]]));
            // WHEN an admin sends the invitation again
            let err = svc.resend_invitation(&caller(&["admins"]), "new@example.com").await.unwrap_err();
            // THEN it is a 409 and nothing was sent
            assert!(matches!(err, AuthError::StateConflict(_)), "{status}: {err:?}");
            assert_eq!(api_types::ApiError::from(err).status(), 409, "{status}");
            assert!(pool.calls().iter().all(reads), "{status}");
        }
    }
}
