//! The storage conformance suite against the local backend (SQLite + files on disk).

use filegate_shared::backend::Backend;
use filegate_shared::settings::Settings;
use filegate_tests::conformance_suite;

async fn local_backend() -> Option<Backend> {
    // Leaked on purpose: the directory must outlive the backend for the whole test.
    let dir = Box::leak(Box::new(tempfile::tempdir().expect("tempdir")));
    Some(
        Backend::local(Settings::local(dir.path()))
            .await
            .expect("local backend"),
    )
}

conformance_suite!(local_backend);
