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
pub async fn resolve_link(
    links: &dyn LinkStore,
    files: &dyn FileStore,
    raw_token: &str,
    now: OffsetDateTime,
    consume: bool,
) -> Result<(LinkRecord, FileRecord), ApiError> {
    let token = LinkToken::parse(raw_token).ok_or(ApiError::LinkExpired)?;
    let hash = token.hash();
    let link = links.get_link(&hash).await?.ok_or(ApiError::LinkExpired)?;
    if !link.usable_at(now) {
        return Err(ApiError::LinkExpired);
    }
    let file = match files.get_file(&link.tenant, &link.file_id).await? {
        Some(f) if f.status == FileStatus::Ready => f,
        _ => return Err(ApiError::LinkedFileNotFound),
    };
    let link = if consume {
        links
            .consume_link(&hash, now)
            .await?
            .ok_or(ApiError::LinkExpired)?
    } else {
        link
    };
    tracing::info!(audit = "link_use", tenant = %link.tenant, file_id = %file.id, uses = link.uses, counted = consume);
    Ok((link, file))
}

pub async fn revoke_link(
    links: &dyn LinkStore,
    who: &Principal,
    raw_token: &str,
) -> Result<(), ApiError> {
    who.require(Scope::Delete)?;
    let token = LinkToken::parse(raw_token).ok_or(ApiError::LinkExpired)?;
    if links.revoke_link(&who.tenant, &token.hash()).await? {
        tracing::info!(audit = "link_revoke", tenant = %who.tenant, key_id = %who.key_id);
        Ok(())
    } else {
        Err(ApiError::LinkExpired)
    }
}
