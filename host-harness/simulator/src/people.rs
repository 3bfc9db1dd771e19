//! Users and workspace members.
//!
//! Members carry all four roles (1 owner, 2 admin, 3 member, 4 guest). Invited
//! users who never joined have a `null` username and null `last_active` /
//! `date_joined`, which trips connectors that assume a name is always present.

use super::clock::{ms, opt_ms};
use serde_json::{json, Value};

/// A ClickUp user as members, assignees, watchers, creators and time entries
/// embed it.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    /// User id; unlike every other ClickUp id, a JSON integer.
    pub id: i64,
    /// `None` for invited users who have not joined yet.
    pub username: Option<String>,
    /// The user's email address.
    pub email: String,
    /// Avatar color as hex; `None` = none, sent as `null`.
    pub color: Option<String>,
    /// Initials shown in the avatar, e.g. `"JD"`.
    pub initials: String,
    /// URL of the profile picture (`profilePicture`); `None` = none, sent as `null`.
    pub profile_picture: Option<String>,
}

impl User {
    /// The short user object used in assignees, watchers, time entries and members.
    pub fn to_api_json(&self) -> Value {
        json!({
            "id": self.id,
            "username": self.username,
            "color": self.color,
            "initials": self.initials,
            "email": self.email,
            "profilePicture": self.profile_picture,
        })
    }

    /// The task `creator` object (no initials).
    pub fn to_creator_json(&self) -> Value {
        json!({
            "id": self.id,
            "username": self.username,
            "color": self.color,
            "email": self.email,
            "profilePicture": self.profile_picture,
        })
    }
}

/// Role 1: the workspace owner (ClickUp sends roles as integers).
pub const ROLE_OWNER: u8 = 1;
/// Role 2: a workspace admin.
pub const ROLE_ADMIN: u8 = 2;
/// Role 3: a regular member.
pub const ROLE_MEMBER: u8 = 3;
/// Role 4: a guest.
pub const ROLE_GUEST: u8 = 4;

/// A workspace member: one entry of `teams[].members[]` in `GET /team`.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The member's user; an invited user who never joined has no username.
    pub user: User,
    /// Role as ClickUp's integer: 1 owner, 2 admin, 3 member, 4 guest.
    pub role: u8,
    /// When the member was last active, in ms since the Unix epoch (sent as a
    /// string); `None` for an invited user who never joined (sent as `null`).
    pub last_active: Option<i64>,
    /// When the member joined, in ms since the Unix epoch (sent as a string); `None`
    /// while only invited (sent as `null`).
    pub date_joined: Option<i64>,
    /// When the member was invited, in ms since the Unix epoch (sent as a string).
    pub date_invited: i64,
    /// Who invited the member (`invited_by`); `None` for the owner, whose entry then
    /// has no `invited_by` key.
    pub invited_by: Option<User>,
}

impl Member {
    /// Whether the member was invited but never joined (no username).
    pub fn is_invited(&self) -> bool {
        self.user.username.is_none()
    }

    /// The role as ClickUp's `role_key`: `owner`, `admin`, `member` or `guest`.
    pub fn role_key(&self) -> &'static str {
        match self.role {
            ROLE_OWNER => "owner",
            ROLE_ADMIN => "admin",
            ROLE_MEMBER => "member",
            _ => "guest",
        }
    }

    /// One entry of `teams[].members[]` in `GET /team`.
    pub fn to_api_json(&self) -> Value {
        let mut user = self.user.to_api_json();
        if let Value::Object(map) = &mut user {
            map.insert("role".into(), json!(self.role));
            map.insert("role_subtype".into(), json!(0));
            map.insert("role_key".into(), json!(self.role_key()));
            map.insert("custom_role".into(), Value::Null);
            map.insert("last_active".into(), opt_ms(self.last_active));
            map.insert("date_joined".into(), opt_ms(self.date_joined));
            map.insert("date_invited".into(), ms(self.date_invited));
        }
        let mut entry = json!({ "user": user });
        if let (Value::Object(map), Some(by)) = (&mut entry, &self.invited_by) {
            map.insert(
                "invited_by".into(),
                json!({
                    "id": by.id,
                    "username": by.username,
                    "color": by.color,
                    "email": by.email,
                    "initials": by.initials,
                    "profilePicture": by.profile_picture,
                    "banned_date": null,
                    "status": if self.is_invited() { "invited" } else { "active" },
                }),
            );
        }
        if let (Value::Object(map), ROLE_GUEST) = (&mut entry, self.role) {
            map.insert("can_see_time_spent".into(), json!(false));
            map.insert("can_see_time_estimated".into(), json!(true));
            map.insert("can_see_points_estimated".into(), json!(false));
            map.insert("can_edit_tags".into(), json!(false));
            map.insert("can_create_views".into(), json!(false));
        }
        entry
    }
}
