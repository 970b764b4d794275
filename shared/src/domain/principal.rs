//! Who is calling: a tenant, maybe one end user, and what they may do.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FileRecord;
use crate::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Read,
    Write,
    Delete,
}

impl Scope {
    fn bit(self) -> u8 {
        match self {
            Scope::Read => 1,
            Scope::Write => 2,
            Scope::Delete => 4,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Delete => "delete",
        }
    }
}

/// A set of scopes, stored as their names (`["read","write"]`) for readable records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Vec<String>", try_from = "Vec<String>")]
pub struct Scopes(u8);

impl Scopes {
    pub const ALL: Scopes = Scopes(7);

    pub fn contains(self, s: Scope) -> bool {
        self.0 & s.bit() != 0
    }

    /// `read,write,delete`; empty means all three (API.md: a key created without scopes has all).
    pub fn parse(list: &str) -> Result<Scopes, String> {
        let mut bits = 0;
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            bits |= match part {
                "read" => Scope::Read.bit(),
                "write" => Scope::Write.bit(),
                "delete" => Scope::Delete.bit(),
                other => {
                    return Err(format!(
                        "unknown scope `{other}` (expected read, write, delete)"
                    ))
                }
            };
        }
        Ok(if bits == 0 { Scopes::ALL } else { Scopes(bits) })
    }

    pub fn names(self) -> Vec<String> {
        [Scope::Read, Scope::Write, Scope::Delete]
            .into_iter()
            .filter(|s| self.contains(*s))
            .map(|s| s.name().to_string())
            .collect()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

impl From<Scopes> for Vec<String> {
    fn from(s: Scopes) -> Self {
        s.names()
    }
}

impl TryFrom<Vec<String>> for Scopes {
    type Error = String;
    fn try_from(v: Vec<String>) -> Result<Self, String> {
        Scopes::parse(&v.join(","))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub key_id: String,
    pub tenant: String,
    /// A user-bound key sees only this user's files.
    pub user: Option<String>,
    pub scopes: Scopes,
}

impl Principal {
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.scopes.contains(scope) {
            Ok(())
        } else {
            Err(ApiError::denied(format!(
                "This API key lacks the `{}` scope.",
                scope.name()
            )))
        }
    }

    /// Tenancy is enforced by the store key; this adds the user binding on top.
    pub fn may_touch(&self, file: &FileRecord) -> Result<(), ApiError> {
        match &self.user {
            Some(u) if file.created_by.as_deref() != Some(u.as_str()) => Err(ApiError::denied(
                "This API key is bound to another user and may not access this file.",
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_scopes_mean_all() {
        assert_eq!(Scopes::parse("").expect("parse"), Scopes::ALL);
        let r = Scopes::parse("read").expect("parse");
        assert!(r.contains(Scope::Read) && !r.contains(Scope::Write));
        assert!(Scopes::parse("read,admin").is_err());
        assert_eq!(
            Scopes::parse("delete, read").expect("parse").to_string(),
            "read,delete"
        );
    }
}
