//! Short-lived links (`/l/<token>`): create, resolve (counting uses atomically), revoke.

use time::OffsetDateTime;

use crate::domain::{FileRecord, FileStatus, LinkKind, LinkRecord, LinkToken, Principal, Scope};
use crate::settings::Settings;
use crate::store::{FileStore, LinkStore};
use crate::ApiError;

pub struct LinkOptions {
    pub kind: LinkKind,
    /// Seconds; the default and the maximum come from settings.
    pub expires_in: Option<u64>,
    pub max_uses: Option<u32>,
}

pub struct CreatedLink {
    pub token: LinkToken,
    pub record: LinkRecord,
}

impl CreatedLink {
    pub fn path(&self) -> String {
        format!("/l/{}", self.token.as_str())
    }
}

/// Scope checks are the caller's: `?links=true` on a read creates links with `read` alone.
pub async fn create_link(
    links: &dyn LinkStore,
    settings: &Settings,
    who: &Principal,
    file: &FileRecord,
    opts: LinkOptions,
) -> Result<CreatedLink, ApiError> {
    if file.status != FileStatus::Ready {
        return Err(ApiError::Conflict(
            "The file is not ready yet: complete its upload first.".into(),
        ));
    }
    let ttl = opts.expires_in.unwrap_or(settings.link_ttl_default);
    if ttl == 0 || ttl > settings.link_ttl_max {
        return Err(ApiError::invalid(format!(
            "`expires_in` must be from 1 to {} seconds",
            settings.link_ttl_max
        )));
    }
    if opts.max_uses == Some(0) {
        return Err(ApiError::invalid("`max_uses` must be at least 1"));
    }
    let token = LinkToken::generate();
    let now = crate::clock::now();
    let record = LinkRecord {
        token_hash: token.hash(),
        tenant: who.tenant.clone(),
        file_id: file.id,
        kind: opts.kind,
        created_at: now,
        expires_at: now + time::Duration::seconds(i64::try_from(ttl).unwrap_or(i64::MAX)),
        max_uses: opts.max_uses,
        uses: 0,
        revoked: false,
        created_by_key: who.key_id.clone(),
    };
    links.create_link(&record).await?;
    tracing::info!(audit = "link_create", tenant = %who.tenant, key_id = %who.key_id, file_id = %file.id, kind = ?record.kind);
    Ok(CreatedLink { token, record })
}

/// Resolves `/l/<token>`. Expiry is checked here on every read, because store-side TTL
/// deletion lags; `consume` counts a use (GET) or only checks (HEAD).
/// Finds a live link and its ready file. It counts no use: the caller counts one with
/// [`count_link_use`] only when it is about to hand out the content, so a 304, 412 or 416 does not
/// spend a single-use link.
pub async fn resolve_link(
    links: &dyn LinkStore,
    files: &dyn FileStore,
    raw_token: &str,
    now: OffsetDateTime,
) -> Result<(LinkRecord, FileRecord), ApiError> {
    let token = LinkToken::parse(raw_token).ok_or(ApiError::LinkExpired)?;
    let link = links
        .get_link(&token.hash())
        .await?
        .ok_or(ApiError::LinkExpired)?;
    if !link.usable_at(now) {
        return Err(ApiError::LinkExpired);
    }
    let file = match files.get_file(&link.tenant, &link.file_id).await? {
        Some(f) if f.status == FileStatus::Ready => f,
        _ => return Err(ApiError::LinkedFileNotFound),
    };
    Ok((link, file))
}

/// Counts one use in a single conditional store write: of N concurrent callers on a link with
/// one use left, exactly one gets `Ok`.
pub async fn count_link_use(
    links: &dyn LinkStore,
    link: &LinkRecord,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    let used = links
        .consume_link(&link.token_hash, now)
        .await?
        .ok_or(ApiError::LinkExpired)?;
    tracing::info!(audit = "link_use", tenant = %used.tenant, file_id = %used.file_id, uses = used.uses);
    Ok(())
}

pub async fn revoke_link(
    links: &dyn LinkStore,
    files: &dyn FileStore,
    who: &Principal,
    raw_token: &str,
) -> Result<(), ApiError> {
    who.require(Scope::Delete)?;
    let token = LinkToken::parse(raw_token).ok_or(ApiError::LinkExpired)?;
    let hash = token.hash();
    let link = match links.get_link(&hash).await? {
        Some(l) if l.tenant == who.tenant => l,
        _ => return Err(ApiError::LinkExpired),
    };
    // A user-bound key may revoke only links to its user's files. A link whose file is gone
    // serves nothing, so revoking it is harmless.
    if let Some(file) = files.get_file(&who.tenant, &link.file_id).await? {
        who.may_touch(&file)?;
    }
    if links.revoke_link(&who.tenant, &hash).await? {
        tracing::info!(audit = "link_revoke", tenant = %who.tenant, key_id = %who.key_id, file_id = %link.file_id);
        Ok(())
    } else {
        Err(ApiError::LinkExpired)
    }
}
