//! Metadata in one DynamoDB table (`pk`/`sk` strings, TTL attribute `ttl` in epoch seconds),
//! with the key design of the local SQLite adapter, which it matches method for method:
//!
//! | item        | pk                  | sk         | ttl            |
//! |-------------|---------------------|------------|----------------|
//! | file        | `T#<tenant>`        | `F#<id>`   | while pending  |
//! | idempotency | `T#<tenant>`        | `I#<key>`  | always         |
//! | link        | `L#<sha256(token)>` | `L`        | always         |
//! | api key     | `K#<key_id>`        | `K`        | never          |
//! | secret      | `CFG#secret`        | `CFG`      | never          |
//!
//! TTL deletion lags by up to 48 hours, so every read also checks expiry itself. Point reads
//! are strongly consistent: a key revoked or a file completed a moment ago must read so.

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;
use rand::RngCore;
use time::OffsetDateTime;

use super::error::{code, store_err};
use super::item::{from_item, n, s, to_item, Item};
use crate::domain::{FileId, FileRecord, FileStatus, KeyRecord, LinkRecord};
use crate::store::{
    FileStore, IdempotencyRecord, IdempotencyStore, KeyStore, LinkStore, ListPage, ListQuery,
    SecretStore, StoreError, StoreResult,
};

const CONDITION_FAILED: &str = "ConditionalCheckFailedException";

#[derive(Clone)]
pub struct DynamoMeta {
    client: Client,
    table: String,
    list_bound: ListReadBound,
}

/// How much one list request may read: a filter that matches little must not read a whole
/// tenant in one request (and run into the function's timeout). When the bound is hit the page
/// comes back short, with `has_more` and a cursor at DynamoDB's `LastEvaluatedKey`.
#[derive(Debug, Clone, Copy)]
pub struct ListReadBound {
    /// Items per `Query` when a filter is set (`Limit` counts items read, not matched).
    pub filtered_page: i32,
    /// `Query` calls per request.
    pub max_queries: usize,
}

impl Default for ListReadBound {
    fn default() -> Self {
        ListReadBound {
            filtered_page: 200,
            max_queries: 10,
        }
    }
}

fn file_pk(tenant: &str) -> String {
    format!("T#{tenant}")
}
fn file_sk(id: &FileId) -> String {
    format!("F#{id}")
}

/// The file id in a `LastEvaluatedKey` (`sk` = `F#<id>`).
fn id_of_key(key: &Item) -> StoreResult<FileId> {
    key.get("sk")
        .and_then(|v| v.as_s().ok())
        .and_then(|sk| sk.strip_prefix("F#"))
        .and_then(FileId::parse)
        .ok_or_else(|| StoreError::Other("LastEvaluatedKey without a file sort key".into()))
}
fn key_pk(key_id: &str) -> String {
    format!("K#{key_id}")
}
fn link_pk(token_hash: &str) -> String {
    format!("L#{token_hash}")
}
fn now_epoch() -> AttributeValue {
    n(crate::clock::now().unix_timestamp())
}

/// Pending files carry a TTL; ready files live until deleted.
fn file_item(f: &FileRecord) -> StoreResult<Item> {
    let mut item = to_item(f, file_pk(&f.tenant), &file_sk(&f.id))?;
    if let (FileStatus::Pending, Some(exp)) = (f.status, f.expires_at) {
        item.insert("ttl".into(), n(exp.unix_timestamp()));
    }
    Ok(item)
}

/// An item whose `ttl` has passed is gone, whether or not DynamoDB has swept it yet.
fn live(item: &Item, now: i64) -> bool {
    match item.get("ttl") {
        Some(AttributeValue::N(t)) => t.parse::<i64>().map_or(true, |t| t > now),
        _ => true,
    }
}

impl DynamoMeta {
    pub fn new(client: Client, table: &str) -> Self {
        DynamoMeta {
            client,
            table: table.to_string(),
            list_bound: ListReadBound::default(),
        }
    }

    pub fn with_list_read_bound(mut self, bound: ListReadBound) -> Self {
        self.list_bound = bound;
        self
    }

    async fn get(&self, pk: String, sk: &str) -> StoreResult<Option<Item>> {
        let out: GetItemOutput = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .key("sk", s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_err)?;
        Ok(out.item)
    }

    /// A put that must not overwrite: `Ok(false)` if the item already exists.
    async fn put_new(&self, item: Item) -> StoreResult<bool> {
        let res = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match res {
            Ok(_) => Ok(true),
            Err(e) if code(&e) == Some(CONDITION_FAILED) => Ok(false),
            Err(e) => Err(store_err(e)),
        }
    }
}

#[async_trait]
impl FileStore for DynamoMeta {
    async fn create_file(&self, file: &FileRecord) -> StoreResult<()> {
        if self.put_new(file_item(file)?).await? {
            Ok(())
        } else {
            Err(StoreError::Conflict("file already exists".into()))
        }
    }

    async fn get_file(&self, tenant: &str, id: &FileId) -> StoreResult<Option<FileRecord>> {
        let now = crate::clock::now().unix_timestamp();
        match self.get(file_pk(tenant), &file_sk(id)).await? {
            Some(item) if live(&item, now) => from_item(item).map(Some),
            _ => Ok(None),
        }
    }

    async fn update_file(&self, file: &FileRecord) -> StoreResult<()> {
        // A whole-item put also drops `ttl` when a pending file becomes ready.
        let res = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(file_item(file)?))
            .condition_expression("attribute_exists(pk)")
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if code(&e) == Some(CONDITION_FAILED) => Err(StoreError::NotFound),
            Err(e) => Err(store_err(e)),
        }
    }

    async fn delete_file(&self, tenant: &str, id: &FileId) -> StoreResult<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(file_pk(tenant)))
            .key("sk", s(file_sk(id)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(store_err)?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }

    async fn list_files(&self, tenant: &str, q: &ListQuery) -> StoreResult<ListPage> {
        // The sort key may carry only one condition, so the cursor bound is inclusive and the
        // cursor's own item (always the first one, newest first) is dropped below.
        let upper = q.before.map(|b| file_sk(&b)).unwrap_or_else(|| "F$".into());
        let mut filter = vec!["(attribute_not_exists(#ttl) OR #ttl > :now)"];
        let mut req = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND sk BETWEEN :lo AND :hi")
            .expression_attribute_values(":pk", s(file_pk(tenant)))
            .expression_attribute_values(":lo", s("F#"))
            .expression_attribute_values(":hi", s(upper))
            .expression_attribute_values(":now", now_epoch())
            .expression_attribute_names("#ttl", "ttl")
            .scan_index_forward(false)
            .consistent_read(true);
        if let Some(user) = &q.user {
            filter.push("#cb = :user");
            req = req
                .expression_attribute_names("#cb", "created_by")
                .expression_attribute_values(":user", s(user));
        }
        if let Some(ns) = &q.namespace {
            filter.push("#ns = :ns");
            req = req
                .expression_attribute_names("#ns", "namespace")
                .expression_attribute_values(":ns", s(ns));
        }
        let filtered = q.user.is_some() || q.namespace.is_some();
        let req = req.filter_expression(filter.join(" AND "));

        // `Limit` counts items read before the filter, so keep reading until `limit + 1` items
        // matched (one more tells `has_more`), the partition is exhausted, or the read bound is
        // reached.
        let want = q.limit.saturating_add(1);
        let mut files: Vec<FileRecord> = Vec::with_capacity(want.min(101));
        let mut start: Option<Item> = None;
        let mut resume_after = None;
        for queries in 1.. {
            let need = i32::try_from(want - files.len()).unwrap_or(i32::MAX);
            // One extra read covers the dropped cursor item.
            let page = if filtered {
                need.max(self.list_bound.filtered_page)
            } else {
                need.saturating_add(1)
            };
            let out = req
                .clone()
                .limit(page)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(store_err)?;
            for item in out.items.unwrap_or_default() {
                let f: FileRecord = from_item(item)?;
                if Some(f.id) != q.before && files.len() < want {
                    files.push(f);
                }
            }
            match out.last_evaluated_key {
                Some(k) if files.len() < want && !k.is_empty() => {
                    if queries >= self.list_bound.max_queries {
                        resume_after = Some(id_of_key(&k)?);
                        break;
                    }
                    start = Some(k);
                }
                _ => break,
            }
        }
        let has_more = files.len() > q.limit || resume_after.is_some();
        files.truncate(q.limit);
        Ok(ListPage {
            files,
            has_more,
            resume_after,
        })
    }
}

#[async_trait]
impl KeyStore for DynamoMeta {
    async fn create_key(&self, key: &KeyRecord) -> StoreResult<()> {
        if self
            .put_new(to_item(key, key_pk(&key.key_id), "K")?)
            .await?
        {
            Ok(())
        } else {
            Err(StoreError::Conflict("key id already exists".into()))
        }
    }

    async fn get_key(&self, key_id: &str) -> StoreResult<Option<KeyRecord>> {
        self.get(key_pk(key_id), "K")
            .await?
            .map(from_item)
            .transpose()
    }

    /// A Scan: listing keys is a rare admin operation (`filegate keys list`), not a request
    /// path, so it does not earn an index.
    async fn list_keys(&self, tenant: Option<&str>) -> StoreResult<Vec<KeyRecord>> {
        let mut filter = "begins_with(pk, :k) AND sk = :sk".to_string();
        let mut req = self
            .client
            .scan()
            .table_name(&self.table)
            .expression_attribute_values(":k", s("K#"))
            .expression_attribute_values(":sk", s("K"))
            .consistent_read(true);
        if let Some(t) = tenant {
            filter.push_str(" AND #tenant = :tenant");
            req = req
                .expression_attribute_names("#tenant", "tenant")
                .expression_attribute_values(":tenant", s(t));
        }
        let req = req.filter_expression(filter);
        let mut keys: Vec<KeyRecord> = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let out = req
                .clone()
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(store_err)?;
            for item in out.items.unwrap_or_default() {
                keys.push(from_item(item)?);
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        // The same order as the local adapter: oldest first, then by id.
        keys.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.key_id.cmp(&b.key_id))
        });
        Ok(keys)
    }

    async fn revoke_key(&self, key_id: &str, at: OffsetDateTime) -> StoreResult<bool> {
        let res = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(key_pk(key_id)))
            .key("sk", s("K"))
            .update_expression("SET revoked_at = :at")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(revoked_at)")
            .expression_attribute_values(":at", s(crate::clock::rfc3339(at)))
            .send()
            .await;
        match res {
            Ok(_) => Ok(true),
            Err(e) if code(&e) == Some(CONDITION_FAILED) => Ok(false),
            Err(e) => Err(store_err(e)),
        }
    }
}

#[async_trait]
impl LinkStore for DynamoMeta {
    async fn create_link(&self, link: &LinkRecord) -> StoreResult<()> {
        let mut item = to_item(link, link_pk(&link.token_hash), "L")?;
        let exp = link.expires_at.unix_timestamp();
        // A number to compare against in `consume_link`; `ttl` alone may be swept or tuned.
        item.insert("expires_at_epoch".into(), n(exp));
        item.insert("ttl".into(), n(exp));
        if self.put_new(item).await? {
            Ok(())
        } else {
            Err(StoreError::Conflict("link token collision".into()))
        }
    }

    async fn get_link(&self, token_hash: &str) -> StoreResult<Option<LinkRecord>> {
        self.get(link_pk(token_hash), "L")
            .await?
            .map(from_item)
            .transpose()
    }

    async fn consume_link(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<LinkRecord>> {
        // One conditional update: the check and the increment are a single atomic step, so N
        // concurrent uses of a 1-use link give exactly one success.
        let res = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(link_pk(token_hash)))
            .key("sk", s("L"))
            .update_expression("SET #uses = #uses + :one")
            .condition_expression(
                "attribute_exists(pk) AND #revoked = :false AND #exp > :now \
                 AND (attribute_not_exists(#max) OR #uses < #max)",
            )
            .expression_attribute_names("#uses", "uses")
            .expression_attribute_names("#revoked", "revoked")
            .expression_attribute_names("#exp", "expires_at_epoch")
            .expression_attribute_names("#max", "max_uses")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":now", n(now.unix_timestamp()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match res {
            Ok(out) => out.attributes.map(from_item).transpose(),
            Err(e) if code(&e) == Some(CONDITION_FAILED) => Ok(None),
            Err(e) => Err(store_err(e)),
        }
    }

    async fn revoke_link(&self, tenant: &str, token_hash: &str) -> StoreResult<bool> {
        let res = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(link_pk(token_hash)))
            .key("sk", s("L"))
            .update_expression("SET #revoked = :true")
            .condition_expression(
                "attribute_exists(pk) AND #tenant = :tenant AND #revoked = :false",
            )
            .expression_attribute_names("#revoked", "revoked")
            .expression_attribute_names("#tenant", "tenant")
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":tenant", s(tenant))
            .send()
            .await;
        match res {
            Ok(_) => Ok(true),
            Err(e) if code(&e) == Some(CONDITION_FAILED) => Ok(false),
            Err(e) => Err(store_err(e)),
        }
    }
}

#[async_trait]
impl IdempotencyStore for DynamoMeta {
    async fn get_idempotency(
        &self,
        tenant: &str,
        key: &str,
    ) -> StoreResult<Option<IdempotencyRecord>> {
        let now = crate::clock::now().unix_timestamp();
        match self.get(file_pk(tenant), &format!("I#{key}")).await? {
            Some(item) if live(&item, now) => from_item(item).map(Some),
            _ => Ok(None),
        }
    }

    async fn put_idempotency(&self, r: &IdempotencyRecord) -> StoreResult<bool> {
        let mut item = to_item(r, file_pk(&r.tenant), &format!("I#{}", r.key))?;
        item.insert("ttl".into(), n(r.expires_at.unix_timestamp()));
        // An expired record no longer counts: it may be replaced.
        let res = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR #ttl <= :now")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":now", now_epoch())
            .send()
            .await;
        match res {
            Ok(_) => Ok(true),
            Err(e) if code(&e) == Some(CONDITION_FAILED) => Ok(false),
            Err(e) => Err(store_err(e)),
        }
    }
}

#[async_trait]
impl SecretStore for DynamoMeta {
    async fn server_secret(&self) -> StoreResult<[u8; 32]> {
        // Read first: after the very first start every cold start is one GetItem, and only
        // that first writer needs the (IAM-narrowed) PutItem on this one key.
        let stored = match self.get("CFG#secret".into(), "CFG").await? {
            Some(item) => item,
            None => {
                let mut fresh = [0u8; 32];
                rand::rng().fill_bytes(&mut fresh);
                let mut item = Item::new();
                item.insert("pk".into(), s("CFG#secret"));
                item.insert("sk".into(), s("CFG"));
                item.insert("secret".into(), s(hex::encode(fresh)));
                // First writer wins; every process then reads the same secret.
                self.put_new(item).await?;
                self.get("CFG#secret".into(), "CFG")
                    .await?
                    .ok_or(StoreError::NotFound)?
            }
        };
        let hex_secret = match stored.get("secret") {
            Some(AttributeValue::S(h)) => h,
            _ => {
                return Err(StoreError::Other(
                    "server secret item has no `secret` string".into(),
                ))
            }
        };
        let bytes = hex::decode(hex_secret).map_err(StoreError::other)?;
        bytes
            .try_into()
            .map_err(|_| StoreError::Other("server secret has the wrong length".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::aws::{dynamo_client, static_config};

    #[tokio::test]
    async fn an_unreachable_table_is_unavailable_not_missing() {
        // Nothing listens on the discard port: every attempt fails to connect.
        let meta = DynamoMeta::new(
            dynamo_client(&static_config("http://127.0.0.1:9", "us-east-1", "a", "b")),
            "t",
        );
        let res = meta.get_file("dev", &FileId::new()).await;
        assert!(matches!(res, Err(StoreError::Unavailable(_))), "{res:?}");
    }
}
