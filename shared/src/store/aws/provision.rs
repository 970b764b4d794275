//! Creates the table and the bucket on an emulator or a scratch account, for tests and for
//! `--backend aws` against a local emulator. Production uses `template.yaml`, which adds what
//! only a real account needs (encryption, versioning, lifecycle, TLS-only policy).

use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};

use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};

use super::error::{code, store_err};
use crate::store::{StoreError, StoreResult};

/// `pk`/`sk` strings, on-demand billing, TTL on `ttl`. An existing table is left alone.
pub async fn create_table(client: &aws_sdk_dynamodb::Client, table: &str) -> StoreResult<()> {
    let attr = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
    };
    let key = |name: &str, t: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(t)
            .build()
    };
    let res = client
        .create_table()
        .table_name(table)
        .attribute_definitions(attr("pk").map_err(StoreError::other)?)
        .attribute_definitions(attr("sk").map_err(StoreError::other)?)
        .key_schema(key("pk", KeyType::Hash).map_err(StoreError::other)?)
        .key_schema(key("sk", KeyType::Range).map_err(StoreError::other)?)
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await;
    match res {
        Ok(_) => {}
        Err(e) if code(&e) == Some("ResourceInUseException") => return Ok(()),
        Err(e) => return Err(store_err(e)),
    }
    client
        .wait_until_table_exists()
        .table_name(table)
        .wait(std::time::Duration::from_secs(60))
        .await
        .map_err(StoreError::other)?;
    let ttl = TimeToLiveSpecification::builder()
        .attribute_name("ttl")
        .enabled(true)
        .build()
        .map_err(StoreError::other)?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(ttl)
        .send()
        .await
        .map_err(store_err)?;
    Ok(())
}

/// A private bucket; an existing one owned by us is fine.
pub async fn create_bucket(client: &aws_sdk_s3::Client, bucket: &str) -> StoreResult<()> {
    // Outside us-east-1, S3 wants the region named in the request.
    let region = client
        .config()
        .region()
        .map(|r| r.as_ref().to_string())
        .filter(|r| r != "us-east-1");
    let location = region.map(|r| {
        CreateBucketConfiguration::builder()
            .location_constraint(BucketLocationConstraint::from(r.as_str()))
            .build()
    });
    match client
        .create_bucket()
        .bucket(bucket)
        .set_create_bucket_configuration(location)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if code(&e) == Some("BucketAlreadyOwnedByYou") => Ok(()),
        Err(e) => Err(store_err(e)),
    }
}
