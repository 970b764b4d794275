use filegate_shared::{backend::Backend, settings::Settings, telemetry};
use lambda_http::{run, service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_logging();
    let backend = Backend::from_settings(Settings::from_env()?).await?;
    let backend = &backend;
    run(service_fn(move |req| async move {
        Ok::<_, Error>(filegate_upload::handle(backend, req).await)
    }))
    .await
}
