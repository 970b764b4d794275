//! `seed-fixtures <data-dir>`: writes the key, file and link that `events/*.json` name into a
//! local-backend data directory (created if missing; it must not hold that data already), the
//! same data `tests/tests/events.rs` seeds. Point a function at it with
//! `FILEGATE_BACKEND=local FILEGATE_DATA_DIR=<data-dir>`.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: seed-fixtures <data-dir>";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = match args.as_slice() {
        [a] if a == "-h" || a == "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        [dir] if !dir.starts_with('-') => PathBuf::from(dir),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match filegate_tests::fixtures::seeded(&dir).await {
        Ok(_) => {
            println!(
                "seeded {}: key {}, file {}, link {}",
                dir.display(),
                filegate_tests::fixtures::KEY_ID,
                filegate_tests::fixtures::FILE_ID,
                filegate_tests::fixtures::TOKEN
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seed-fixtures: {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
