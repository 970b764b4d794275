//! Metadata in one SQLite table `items(pk, sk, data, ttl)`: the same key design as the DynamoDB
//! table, so both adapters answer the same questions the same way. WAL mode lets `filegate keys`
//! write from a second process while `serve` runs.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;
use time::OffsetDateTime;

use crate::domain::{FileId, FileRecord, FileStatus, KeyRecord, LinkRecord};
use crate::store::{
    FileStore, IdempotencyRecord, IdempotencyStore, KeyStore, LinkStore, ListPage, ListQuery,
    SecretStore, StoreError, StoreResult,
};

#[derive(Clone)]
pub struct SqliteMeta {
    conn: Arc<Mutex<Connection>>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    pk   TEXT NOT NULL,
    sk   TEXT NOT NULL,
    data TEXT NOT NULL,
    ttl  INTEGER,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
";

fn file_pk(tenant: &str) -> String {
    format!("T#{tenant}")
}
fn file_sk(id: &FileId) -> String {
    format!("F#{id}")
}

fn db_err(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            StoreError::Unavailable(format!("database busy: {f}"))
        }
        other => StoreError::other(other),
    }
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

fn to_json<T: Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(StoreError::other)
}

fn from_json<T: DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Other(format!("corrupt record: {e}")))
}

/// Pending files carry a TTL; ready files live until deleted.
fn file_ttl(f: &FileRecord) -> Option<i64> {
    match f.status {
        FileStatus::Pending => f.expires_at.map(OffsetDateTime::unix_timestamp),
        FileStatus::Ready => None,
    }
}

impl SqliteMeta {
    /// Opens (creating if needed) `path` in WAL mode.
    pub fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(StoreError::other)?;
        }
        let conn = Connection::open(path).map_err(db_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(db_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(db_err)?;
        conn.execute_batch(SCHEMA).map_err(db_err)?;
        Ok(SqliteMeta {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs blocking SQLite work off the async threads.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| StoreError::Other("sqlite mutex poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(StoreError::other)?
    }

    /// Conditional create (DynamoDB's `attribute_not_exists(pk)`): `Conflict` if the key exists.
    async fn insert(
        &self,
        pk: String,
        sk: String,
        data: String,
        ttl: Option<i64>,
        conflict: &'static str,
    ) -> StoreResult<()> {
        self.with(move |c| {
            match c.execute(
                "INSERT INTO items (pk, sk, data, ttl) VALUES (?1, ?2, ?3, ?4)",
                params![pk, sk, data, ttl],
            ) {
                Ok(_) => Ok(()),
                Err(e) if is_constraint(&e) => Err(StoreError::Conflict(conflict.into())),
                Err(e) => Err(db_err(e)),
            }
        })
        .await
    }

    /// One item by key, hiding items whose TTL passed (the sweeper may not have run yet).
    async fn get_live<T: DeserializeOwned + Send + 'static>(
        &self,
        pk: String,
        sk: String,
    ) -> StoreResult<Option<T>> {
        let now = crate::clock::now().unix_timestamp();
        self.with(move |c| {
            let data: Option<String> = c
                .query_row(
                    "SELECT data FROM items WHERE pk = ?1 AND sk = ?2 AND (ttl IS NULL OR ttl > ?3)",
                    params![pk, sk, now],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_err)?;
            data.map(|d| from_json(&d)).transpose()
        })
        .await
    }

    /// Deletes items whose TTL passed, as DynamoDB's TTL sweeper would; returns swept pending
    /// files so the caller can delete their bytes too.
    pub async fn sweep_expired(&self, now: OffsetDateTime) -> StoreResult<Vec<FileRecord>> {
        let now = now.unix_timestamp();
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            let files: Vec<FileRecord> = {
                let mut st = tx
                    .prepare("SELECT data FROM items WHERE ttl IS NOT NULL AND ttl <= ?1 AND sk LIKE 'F#%'")
                    .map_err(db_err)?;
                let rows = st.query_map(params![now], |r| r.get::<_, String>(0)).map_err(db_err)?;
                let mut out = Vec::new();
                for row in rows {
                    out.push(from_json(&row.map_err(db_err)?)?);
                }
                out
            };
            tx.execute("DELETE FROM items WHERE ttl IS NOT NULL AND ttl <= ?1", params![now]).map_err(db_err)?;
            tx.commit().map_err(db_err)?;
            Ok(files)
        })
        .await
    }
}

#[async_trait]
impl FileStore for SqliteMeta {
    async fn create_file(&self, file: &FileRecord) -> StoreResult<()> {
        let data = to_json(file)?;
        self.insert(
            file_pk(&file.tenant),
            file_sk(&file.id),
            data,
            file_ttl(file),
            "file already exists",
        )
        .await
    }

    async fn get_file(&self, tenant: &str, id: &FileId) -> StoreResult<Option<FileRecord>> {
        self.get_live(file_pk(tenant), file_sk(id)).await
    }

    async fn update_file(&self, file: &FileRecord) -> StoreResult<()> {
        let (pk, sk, data, ttl) = (
            file_pk(&file.tenant),
            file_sk(&file.id),
            to_json(file)?,
            file_ttl(file),
        );
        self.with(move |c| {
            let n = c
                .execute(
                    "UPDATE items SET data = ?3, ttl = ?4 WHERE pk = ?1 AND sk = ?2",
                    params![pk, sk, data, ttl],
                )
                .map_err(db_err)?;
            if n == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    async fn delete_file(&self, tenant: &str, id: &FileId) -> StoreResult<bool> {
        let (pk, sk) = (file_pk(tenant), file_sk(id));
        self.with(move |c| {
            let n = c
                .execute(
                    "DELETE FROM items WHERE pk = ?1 AND sk = ?2",
                    params![pk, sk],
                )
                .map_err(db_err)?;
            Ok(n > 0)
        })
        .await
    }

    async fn list_files(&self, tenant: &str, q: &ListQuery) -> StoreResult<ListPage> {
        let pk = file_pk(tenant);
        // `F$` sorts just after every `F#...` key: the upper bound when there is no cursor.
        let upper = q.before.map(|b| file_sk(&b)).unwrap_or_else(|| "F$".into());
        let (user, ns, limit) = (q.user.clone(), q.namespace.clone(), q.limit);
        let now = crate::clock::now().unix_timestamp();
        self.with(move |c| {
            let mut st = c
                .prepare(
                    "SELECT data FROM items
                     WHERE pk = ?1 AND sk > 'F#' AND sk < ?2
                       AND (ttl IS NULL OR ttl > ?3)
                       AND (?4 IS NULL OR json_extract(data, '$.created_by') = ?4)
                       AND (?5 IS NULL OR json_extract(data, '$.namespace') = ?5)
                     ORDER BY sk DESC LIMIT ?6",
                )
                .map_err(db_err)?;
            let rows = st
                .query_map(params![pk, upper, now, user, ns, (limit + 1) as i64], |r| {
                    r.get::<_, String>(0)
                })
                .map_err(db_err)?;
            let mut files: Vec<FileRecord> = Vec::new();
            for row in rows {
                files.push(from_json(&row.map_err(db_err)?)?);
            }
            let has_more = files.len() > limit;
            files.truncate(limit);
            Ok(ListPage {
                files,
                has_more,
                resume_after: None,
            })
        })
        .await
    }
}

#[async_trait]
impl KeyStore for SqliteMeta {
    async fn create_key(&self, key: &KeyRecord) -> StoreResult<()> {
        let data = to_json(key)?;
        self.insert(
            format!("K#{}", key.key_id),
            "K".into(),
            data,
            None,
            "key id already exists",
        )
        .await
    }

    async fn get_key(&self, key_id: &str) -> StoreResult<Option<KeyRecord>> {
        self.get_live(format!("K#{key_id}"), "K".into()).await
    }

    async fn list_keys(&self, tenant: Option<&str>) -> StoreResult<Vec<KeyRecord>> {
        let tenant = tenant.map(str::to_string);
        self.with(move |c| {
            let mut st = c
                .prepare(
                    "SELECT data FROM items WHERE sk = 'K' AND pk LIKE 'K#%'
                       AND (?1 IS NULL OR json_extract(data, '$.tenant') = ?1)
                     ORDER BY json_extract(data, '$.created_at'), pk",
                )
                .map_err(db_err)?;
            let rows = st
                .query_map(params![tenant], |r| r.get::<_, String>(0))
                .map_err(db_err)?;
            let mut out = Vec::new();
            for row in rows {
                out.push(from_json(&row.map_err(db_err)?)?);
            }
            Ok(out)
        })
        .await
    }

    async fn revoke_key(&self, key_id: &str, at: OffsetDateTime) -> StoreResult<bool> {
        let (pk, at) = (format!("K#{key_id}"), crate::clock::rfc3339(at));
        self.with(move |c| {
            let n = c
                .execute(
                    "UPDATE items SET data = json_set(data, '$.revoked_at', ?2)
                     WHERE pk = ?1 AND sk = 'K' AND json_extract(data, '$.revoked_at') IS NULL",
                    params![pk, at],
                )
                .map_err(db_err)?;
            Ok(n > 0)
        })
        .await
    }
}

#[async_trait]
impl LinkStore for SqliteMeta {
    async fn create_link(&self, link: &LinkRecord) -> StoreResult<()> {
        let (data, ttl) = (to_json(link)?, link.expires_at.unix_timestamp());
        self.insert(
            format!("L#{}", link.token_hash),
            "L".into(),
            data,
            Some(ttl),
            "link token collision",
        )
        .await
    }

    async fn get_link(&self, token_hash: &str) -> StoreResult<Option<LinkRecord>> {
        self.get_live(format!("L#{token_hash}"), "L".into()).await
    }

    async fn consume_link(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<LinkRecord>> {
        let (pk, now) = (format!("L#{token_hash}"), now.unix_timestamp());
        // One statement: the check and the increment cannot interleave with another request.
        self.with(move |c| {
            let data: Option<String> = c
                .query_row(
                    "UPDATE items SET data = json_set(data, '$.uses', json_extract(data, '$.uses') + 1)
                     WHERE pk = ?1 AND sk = 'L' AND ttl > ?2
                       AND json_extract(data, '$.revoked') = 0
                       AND (json_extract(data, '$.max_uses') IS NULL
                            OR json_extract(data, '$.uses') < json_extract(data, '$.max_uses'))
                     RETURNING data",
                    params![pk, now],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_err)?;
            data.map(|d| from_json(&d)).transpose()
        })
        .await
    }

    async fn revoke_link(&self, tenant: &str, token_hash: &str) -> StoreResult<bool> {
        let (pk, tenant) = (format!("L#{token_hash}"), tenant.to_string());
        self.with(move |c| {
            let n = c
                .execute(
                    "UPDATE items SET data = json_set(data, '$.revoked', json('true'))
                     WHERE pk = ?1 AND sk = 'L' AND json_extract(data, '$.tenant') = ?2
                       AND json_extract(data, '$.revoked') = 0",
                    params![pk, tenant],
                )
                .map_err(db_err)?;
            Ok(n > 0)
        })
        .await
    }
}

#[async_trait]
impl IdempotencyStore for SqliteMeta {
    async fn get_idempotency(
        &self,
        tenant: &str,
        key: &str,
    ) -> StoreResult<Option<IdempotencyRecord>> {
        self.get_live(file_pk(tenant), format!("I#{key}")).await
    }

    async fn put_idempotency(&self, r: &IdempotencyRecord) -> StoreResult<bool> {
        let (pk, sk, data, ttl) = (
            file_pk(&r.tenant),
            format!("I#{}", r.key),
            to_json(r)?,
            r.expires_at.unix_timestamp(),
        );
        let now = crate::clock::now().unix_timestamp();
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            // An expired record no longer counts: replace it.
            tx.execute(
                "DELETE FROM items WHERE pk = ?1 AND sk = ?2 AND ttl <= ?3",
                params![pk, sk, now],
            )
            .map_err(db_err)?;
            let res = tx.execute(
                "INSERT INTO items (pk, sk, data, ttl) VALUES (?1, ?2, ?3, ?4)",
                params![pk, sk, data, ttl],
            );
            match res {
                Ok(_) => {
                    tx.commit().map_err(db_err)?;
                    Ok(true)
                }
                Err(e) if is_constraint(&e) => Ok(false),
                Err(e) => Err(db_err(e)),
            }
        })
        .await
    }
}

#[async_trait]
impl SecretStore for SqliteMeta {
    async fn server_secret(&self) -> StoreResult<[u8; 32]> {
        let mut fresh = [0u8; 32];
        rand::rng().fill_bytes(&mut fresh);
        let data = serde_json::json!({ "secret": hex::encode(fresh) }).to_string();
        self.with(move |c| {
            // First writer wins; every process then reads the same secret.
            c.execute("INSERT OR IGNORE INTO items (pk, sk, data) VALUES ('CFG#secret', 'CFG', ?1)", params![data])
                .map_err(db_err)?;
            let stored: String = c
                .query_row("SELECT json_extract(data, '$.secret') FROM items WHERE pk = 'CFG#secret' AND sk = 'CFG'", [], |r| {
                    r.get(0)
                })
                .map_err(db_err)?;
            let bytes = hex::decode(stored).map_err(StoreError::other)?;
            bytes.try_into().map_err(|_| StoreError::Other("server secret has the wrong length".into()))
        })
        .await
    }
}
