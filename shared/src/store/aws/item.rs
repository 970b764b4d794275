//! Records as DynamoDB items, through their serde (JSON) form: every field is a real attribute,
//! so conditions and filters can name it and the console shows readable items. `None` fields
//! are left out rather than stored as NULL, so `attribute_not_exists(revoked_at)` means
//! "not revoked" and `attribute_not_exists(max_uses)` means "unlimited".

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Number, Value};

use crate::store::{StoreError, StoreResult};

pub(super) type Item = HashMap<String, AttributeValue>;

pub(super) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(super) fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// The record's fields plus the key attributes.
pub(super) fn to_item<T: Serialize>(record: &T, pk: String, sk: &str) -> StoreResult<Item> {
    let mut item = match serde_json::to_value(record).map_err(StoreError::other)? {
        Value::Object(map) => attrs(map),
        _ => {
            return Err(StoreError::Other(
                "a record must serialize to a JSON object".into(),
            ))
        }
    };
    item.insert("pk".into(), s(pk));
    item.insert("sk".into(), s(sk));
    Ok(item)
}

/// Extra attributes (`pk`, `sk`, `ttl`, ...) are ignored: serde skips unknown fields.
pub(super) fn from_item<T: DeserializeOwned>(item: Item) -> StoreResult<T> {
    let mut map = Map::new();
    for (k, v) in item {
        map.insert(k, from_attr(v)?);
    }
    serde_json::from_value(Value::Object(map))
        .map_err(|e| StoreError::Other(format!("corrupt record: {e}")))
}

fn attrs(map: Map<String, Value>) -> Item {
    map.into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k, to_attr(v)))
        .collect()
}

fn to_attr(v: Value) -> AttributeValue {
    match v {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(b),
        Value::Number(x) => AttributeValue::N(x.to_string()),
        Value::String(x) => AttributeValue::S(x),
        Value::Array(a) => AttributeValue::L(a.into_iter().map(to_attr).collect()),
        Value::Object(o) => AttributeValue::M(attrs(o)),
    }
}

fn from_attr(a: AttributeValue) -> StoreResult<Value> {
    Ok(match a {
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::Bool(b) => Value::Bool(b),
        AttributeValue::S(x) => Value::String(x),
        AttributeValue::N(x) => Value::Number(number(&x)?),
        AttributeValue::L(l) => {
            Value::Array(l.into_iter().map(from_attr).collect::<StoreResult<_>>()?)
        }
        AttributeValue::M(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| Ok((k, from_attr(v)?)))
                .collect::<StoreResult<_>>()?,
        ),
        AttributeValue::Ss(l) => Value::Array(l.into_iter().map(Value::String).collect()),
        other => {
            return Err(StoreError::Other(format!(
                "unsupported attribute type in record: {other:?}"
            )))
        }
    })
}

fn number(x: &str) -> StoreResult<Number> {
    let bad = || StoreError::Other(format!("corrupt number attribute `{x}`"));
    if let Ok(i) = x.parse::<i64>() {
        return Ok(i.into());
    }
    if let Ok(u) = x.parse::<u64>() {
        return Ok(u.into());
    }
    x.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FileId, KeyRecord, Scopes};

    #[test]
    fn records_round_trip_and_leave_none_out() {
        let key = KeyRecord {
            key_id: "abc".into(),
            tenant: "dev".into(),
            user: None,
            scopes: Scopes::ALL,
            secret_hash: "00".repeat(32),
            created_at: crate::clock::now(),
            revoked_at: None,
        };
        let item = to_item(&key, "K#abc".into(), "K").expect("item");
        assert!(!item.contains_key("revoked_at") && !item.contains_key("user"));
        assert_eq!(item.get("pk"), Some(&s("K#abc")));
        assert_eq!(from_item::<KeyRecord>(item).expect("record"), key);
    }

    #[test]
    fn big_numbers_survive() {
        #[derive(Serialize, serde::Deserialize, PartialEq, Debug)]
        struct R {
            size: u64,
            id: FileId,
        }
        let r = R {
            size: u64::MAX,
            id: FileId::new(),
        };
        let back: R = from_item(to_item(&r, "p".into(), "s").expect("item")).expect("record");
        assert_eq!(back, r);
    }
}
