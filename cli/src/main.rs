//! `filegate`: run the whole service locally, and operate it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use filegate_cli::{keys_cmd, server};
use filegate_shared::backend::Backend;
use filegate_shared::settings::Settings;

#[derive(Parser)]
#[command(
    name = "filegate",
    version,
    about = "A file service for AI and business applications"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct StoreArgs {
    /// Where the local backend keeps its database and blobs.
    #[arg(
        long,
        env = "FILEGATE_DATA_DIR",
        default_value = "./filegate-data",
        global = true
    )]
    data_dir: PathBuf,
    /// `local` (a data directory) or `aws` (DynamoDB + S3, honoring AWS_ENDPOINT_URL).
    #[arg(long, env = "FILEGATE_BACKEND", default_value = "local", global = true)]
    backend: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve every route on one port.
    Serve {
        #[arg(long, env = "FILEGATE_ADDR", default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Upload files: inline below the inline limit, direct (parallel parts) above it.
    Upload {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The service's base URL.
        #[arg(long, env = "FILEGATE_URL", default_value = "http://127.0.0.1:3000")]
        url: String,
        #[arg(long, env = "FILEGATE_API_KEY", hide_env_values = true)]
        key: String,
        /// Files up to this size go inline (POST /v1/files); match the server's setting.
        #[arg(long, env = "FILEGATE_INLINE_UPLOAD_LIMIT", default_value = "4MiB")]
        inline_limit: String,
        /// Parts uploaded at once.
        #[arg(long, default_value_t = 4)]
        parallel: usize,
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        namespace: Option<String>,
    },
    /// aws backend: create the table and bucket if missing (for emulators and scratch accounts;
    /// deployments get them from template.yaml).
    Provision {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Create, list and revoke API keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Prints only the new key on stdout.
    Create {
        #[arg(long)]
        tenant: String,
        /// Bind the key to one end user: it sees only that user's files.
        #[arg(long)]
        user: Option<String>,
        /// Comma-separated: read,write,delete (default: all three).
        #[arg(long, default_value = "")]
        scopes: String,
    },
    List {
        #[arg(long)]
        tenant: Option<String>,
    },
    Revoke {
        key_id: String,
    },
}

/// Settings from the environment, with the command's flags taking precedence.
fn settings(store: &StoreArgs, addr: Option<SocketAddr>) -> Result<Settings, String> {
    let data_dir = store.data_dir.to_string_lossy().into_owned();
    let addr = addr.map(|a| a.to_string());
    Settings::from_lookup(|k| match k {
        "FILEGATE_DATA_DIR" => Some(data_dir.clone()),
        "FILEGATE_BACKEND" => Some(store.backend.clone()),
        "FILEGATE_ADDR" => addr.clone().or_else(|| std::env::var(k).ok()),
        _ => std::env::var(k).ok(),
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    filegate_shared::telemetry::init_logging();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("filegate: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve { addr, store } => {
            let backend = Backend::from_settings(settings(&store, Some(addr))?).await?;
            if let Some(key) = keys_cmd::bootstrap_dev_key(backend.keys.as_ref()).await? {
                println!(
                    "Created tenant `dev`. Its API key is shown only this once:\n\n    {key}\n"
                );
            }
            let backend = Arc::new(backend);
            server::spawn_sweeper(backend.clone());
            let (bound, task) = server::start(backend, addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            println!("filegate listening on http://{bound}");
            tokio::select! {
                _ = task => Err("the server stopped unexpectedly".into()),
                _ = tokio::signal::ctrl_c() => Ok(()),
            }
        }
        Command::Upload {
            files,
            url,
            key,
            inline_limit,
            parallel,
            user,
            namespace,
        } => {
            let inline_limit = filegate_shared::settings::parse_size(&inline_limit)
                .ok_or("--inline-limit: not a size")?;
            let args = filegate_cli::upload_cmd::UploadArgs {
                url: url.trim_end_matches('/').to_string(),
                key,
                inline_limit,
                parallel,
                user,
                namespace,
            };
            for f in &files {
                let file = filegate_cli::upload_cmd::upload(f, &args)
                    .await
                    .map_err(|e| format!("{}: {e}", f.display()))?;
                println!("{file}");
            }
            Ok(())
        }
        Command::Provision { store } => {
            let settings = settings(&store, None)?;
            if settings.backend != filegate_shared::settings::BackendKind::Aws {
                return Err("provision is for the aws backend (--backend aws)".into());
            }
            filegate_shared::store::aws::provision(&settings).await?;
            println!(
                "table `{}` and bucket `{}` are ready",
                settings.table, settings.bucket
            );
            Ok(())
        }
        Command::Keys { command, store } => {
            let backend = Backend::from_settings(settings(&store, None)?).await?;
            let keys = backend.keys.as_ref();
            match command {
                KeysCommand::Create {
                    tenant,
                    user,
                    scopes,
                } => println!("{}", keys_cmd::create(keys, &tenant, user, &scopes).await?),
                KeysCommand::List { tenant } => {
                    print!("{}", keys_cmd::list(keys, tenant.as_deref()).await?)
                }
                KeysCommand::Revoke { key_id } => keys_cmd::revoke(keys, &key_id).await?,
            }
            Ok(())
        }
    }
}
