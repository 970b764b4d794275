//! `filegate keys create|list|revoke`: works while `serve` runs on the same data directory
//! (SQLite WAL), and against the table in `aws` mode.

use filegate_shared::auth::NewKey;
use filegate_shared::domain::tenant::{valid_label, valid_tenant};
use filegate_shared::domain::Scopes;
use filegate_shared::store::KeyStore;

pub async fn create(
    keys: &dyn KeyStore,
    tenant: &str,
    user: Option<String>,
    scopes: &str,
) -> Result<String, String> {
    if !valid_tenant(tenant) {
        return Err(format!(
            "tenant `{tenant}` must be 1..64 characters of A-Z a-z 0-9 _ -"
        ));
    }
    if user.as_deref().is_some_and(|u| !valid_label(u)) {
        return Err("user must be 1..256 bytes without control characters".into());
    }
    let scopes = Scopes::parse(scopes)?;
    let key = NewKey::generate(tenant, user, scopes);
    keys.create_key(&key.record)
        .await
        .map_err(|e| format!("could not store the key: {e}"))?;
    Ok(key.full)
}

pub async fn list(keys: &dyn KeyStore, tenant: Option<&str>) -> Result<String, String> {
    let all = keys
        .list_keys(tenant)
        .await
        .map_err(|e| format!("could not list keys: {e}"))?;
    let mut out = format!(
        "{:<16}  {:<20}  {:<16}  {:<17}  {:<20}  {}\n",
        "KEY ID", "TENANT", "USER", "SCOPES", "CREATED", "REVOKED"
    );
    for k in all {
        out.push_str(&format!(
            "{:<16}  {:<20}  {:<16}  {:<17}  {:<20}  {}\n",
            k.key_id,
            k.tenant,
            k.user.as_deref().unwrap_or("-"),
            k.scopes.to_string(),
            filegate_shared::clock::rfc3339(k.created_at),
            k.revoked_at
                .map(filegate_shared::clock::rfc3339)
                .unwrap_or_else(|| "-".into()),
        ));
    }
    Ok(out)
}

pub async fn revoke(keys: &dyn KeyStore, key_id: &str) -> Result<(), String> {
    match keys.revoke_key(key_id, filegate_shared::clock::now()).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(format!("no live key with id `{key_id}`")),
        Err(e) => Err(format!("could not revoke: {e}")),
    }
}

/// On an empty data directory, `serve` creates tenant `dev` and prints its key once.
pub async fn bootstrap_dev_key(keys: &dyn KeyStore) -> Result<Option<String>, String> {
    let existing = keys
        .list_keys(None)
        .await
        .map_err(|e| format!("could not read keys: {e}"))?;
    if !existing.is_empty() {
        return Ok(None);
    }
    create(keys, "dev", None, "").await.map(Some)
}
