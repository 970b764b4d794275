//! Completes single-PUT direct uploads from S3 object-created events.

use aws_lambda_events::event::s3::S3Event;
use filegate_shared::{backend::Backend, settings::Settings, telemetry};
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_logging();
    let backend = Backend::from_settings(Settings::from_env()?).await?;
    let backend = &backend;
    run(service_fn(move |event: LambdaEvent<S3Event>| async move {
        filegate_upload::complete_from_event(backend, event.payload).await;
        Ok::<(), Error>(())
    }))
    .await
}
