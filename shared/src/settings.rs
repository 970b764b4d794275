//! Settings, read once at process start from the environment. Every one has a safe default.

use std::path::PathBuf;

pub const KIB: u64 = 1024;
pub const MIB: u64 = 1024 * KIB;
pub const GIB: u64 = 1024 * MIB;
/// S3's limit for one object; no configuration may go above it.
pub const STORAGE_MAX_OBJECT: u64 = 5 * 1024 * GIB;
/// S3's limit for one single-part PUT.
pub const SINGLE_PUT_MAX: u64 = 5 * GIB;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Local,
    Aws,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub backend: BackendKind,
    /// Local backend: where blobs and the SQLite database live.
    pub data_dir: PathBuf,
    /// Base of the URLs we hand out (`/l/<token>`, local signed blob URLs).
    pub public_url: String,
    /// False when `public_url` is only the default derived from the listen address.
    pub public_url_configured: bool,
    pub inline_upload_limit: u64,
    pub max_file_size: u64,
    pub multipart_threshold: u64,
    pub multipart_part_size: u64,
    pub inline_response_limit: u64,
    pub link_ttl_default: u64,
    pub link_ttl_max: u64,
    /// How long a signed URL from `/download-url` or a redirect lives by default.
    pub signed_url_ttl: u64,
    /// How long a direct upload may stay pending before it is swept.
    pub upload_ttl: u64,
    /// Lower-case extensions without the dot; empty means "all allowed".
    pub allowed_extensions: Vec<String>,
    pub denied_extensions: Vec<String>,
    pub table: String,
    pub bucket: String,
    /// Path-style S3 addressing, for emulators.
    pub s3_force_path_style: bool,
    /// HTML preview bounds.
    pub render_max_rows: usize,
    pub render_max_bytes: u64,
}

impl Settings {
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let size = |k: &str, default: u64| -> Result<u64, String> {
            match get(k) {
                None => Ok(default),
                Some(v) => parse_size(&v)
                    .ok_or_else(|| format!("{k}: `{v}` is not a size (e.g. 4MiB, 1048576)")),
            }
        };
        let secs = |k: &str, default: u64| -> Result<u64, String> {
            match get(k) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| format!("{k}: `{v}` is not a number of seconds")),
            }
        };
        let backend = match get("FILEGATE_BACKEND").as_deref().map(str::trim) {
            None | Some("local") => BackendKind::Local,
            Some("aws") => BackendKind::Aws,
            Some(other) => {
                return Err(format!(
                    "FILEGATE_BACKEND: `{other}` is not `local` or `aws`"
                ))
            }
        };
        let addr = get("FILEGATE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let s = Settings {
            backend,
            data_dir: PathBuf::from(
                get("FILEGATE_DATA_DIR").unwrap_or_else(|| "./filegate-data".into()),
            ),
            public_url: get("FILEGATE_PUBLIC_URL")
                .unwrap_or_else(|| format!("http://{addr}"))
                .trim_end_matches('/')
                .to_string(),
            public_url_configured: get("FILEGATE_PUBLIC_URL").is_some(),
            inline_upload_limit: size("FILEGATE_INLINE_UPLOAD_LIMIT", 4 * MIB)?,
            max_file_size: size("FILEGATE_MAX_FILE_SIZE", 5 * GIB)?,
            multipart_threshold: size("FILEGATE_MULTIPART_THRESHOLD", 16 * MIB)?,
            multipart_part_size: size("FILEGATE_MULTIPART_PART_SIZE", 8 * MIB)?,
            inline_response_limit: size("FILEGATE_INLINE_RESPONSE_LIMIT", 4 * MIB)?,
            link_ttl_default: secs("FILEGATE_LINK_TTL_DEFAULT", 600)?,
            link_ttl_max: secs("FILEGATE_LINK_TTL_MAX", 604_800)?,
            signed_url_ttl: secs("FILEGATE_SIGNED_URL_TTL", 300)?,
            upload_ttl: secs("FILEGATE_UPLOAD_TTL", 86_400)?,
            allowed_extensions: ext_list(get("FILEGATE_ALLOWED_EXTENSIONS")),
            denied_extensions: ext_list(get("FILEGATE_DENIED_EXTENSIONS")),
            table: get("FILEGATE_TABLE").unwrap_or_else(|| "filegate".into()),
            bucket: get("FILEGATE_BUCKET").unwrap_or_else(|| "filegate".into()),
            s3_force_path_style: matches!(
                get("FILEGATE_S3_FORCE_PATH_STYLE").as_deref(),
                Some("1" | "true" | "yes")
            ),
            render_max_rows: secs("FILEGATE_RENDER_MAX_ROWS", 1000)? as usize,
            render_max_bytes: size("FILEGATE_RENDER_MAX_BYTES", MIB)?,
        };
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> Result<(), String> {
        if self.max_file_size > STORAGE_MAX_OBJECT {
            return Err(format!("FILEGATE_MAX_FILE_SIZE may not exceed the storage limit of {STORAGE_MAX_OBJECT} bytes"));
        }
        if self.inline_upload_limit == 0 || self.inline_upload_limit > self.max_file_size {
            return Err(
                "FILEGATE_INLINE_UPLOAD_LIMIT must be between 1 byte and FILEGATE_MAX_FILE_SIZE"
                    .into(),
            );
        }
        if self.multipart_threshold > SINGLE_PUT_MAX {
            return Err(format!(
                "FILEGATE_MULTIPART_THRESHOLD may not exceed {SINGLE_PUT_MAX} bytes (one S3 PUT)"
            ));
        }
        if self.multipart_part_size < 5 * MIB || self.multipart_part_size > SINGLE_PUT_MAX {
            return Err(
                "FILEGATE_MULTIPART_PART_SIZE must be between 5MiB and 5GiB (S3 part limits)"
                    .into(),
            );
        }
        if self.link_ttl_default == 0 || self.link_ttl_default > self.link_ttl_max {
            return Err(
                "FILEGATE_LINK_TTL_DEFAULT must be between 1 and FILEGATE_LINK_TTL_MAX".into(),
            );
        }
        if self.link_ttl_max > 604_800 {
            return Err("FILEGATE_LINK_TTL_MAX may not exceed 604800 seconds (7 days)".into());
        }
        if self.signed_url_ttl == 0 || self.signed_url_ttl > 604_800 {
            return Err("FILEGATE_SIGNED_URL_TTL must be between 1 and 604800 seconds".into());
        }
        Ok(())
    }

    /// Defaults with a given data directory: handy for tests and `filegate serve`.
    pub fn local(data_dir: impl Into<PathBuf>) -> Self {
        let mut s = Self::from_lookup(|_| None).unwrap_or_else(|e| unreachable_defaults(&e));
        s.data_dir = data_dir.into();
        s
    }

    pub fn extension_allowed(&self, ext: &str) -> bool {
        let ext = ext.to_ascii_lowercase();
        if self.denied_extensions.contains(&ext) {
            return false;
        }
        self.allowed_extensions.is_empty() || self.allowed_extensions.contains(&ext)
    }
}

#[cold]
fn unreachable_defaults(e: &str) -> ! {
    panic!("built-in default settings are invalid: {e}")
}

fn ext_list(v: Option<String>) -> Vec<String> {
    v.map(|v| {
        v.split(',')
            .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
            .filter(|e| !e.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// `1048576`, `512KiB`, `4MiB`, `5GiB`, `10MB` (treated as binary units too: sizes here are limits).
pub fn parse_size(v: &str) -> Option<u64> {
    let v = v.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => KIB,
        "m" | "mb" | "mib" => MIB,
        "g" | "gb" | "gib" => GIB,
        "t" | "tb" | "tib" => 1024 * GIB,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// Human form of a byte count for messages ("4 MiB").
pub fn human_size(n: u64) -> String {
    for (unit, size) in [("GiB", GIB), ("MiB", MIB), ("KiB", KIB)] {
        if n >= size && n.is_multiple_of(size) {
            return format!("{} {unit}", n / size);
        }
    }
    format!("{n} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_safe() {
        let s = Settings::from_lookup(|_| None).expect("defaults");
        assert_eq!(s.backend, BackendKind::Local);
        assert_eq!(s.inline_upload_limit, 4 * MIB);
        assert_eq!(s.max_file_size, 5 * GIB);
        assert_eq!(s.inline_response_limit, 4 * MIB);
        assert_eq!(s.link_ttl_default, 600);
        assert_eq!(s.public_url, "http://127.0.0.1:3000");
    }

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("4MiB"), Some(4 * MIB));
        assert_eq!(parse_size("12"), Some(12));
        assert_eq!(parse_size("1 GiB"), Some(GIB));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_size("99999999999999999999GiB"), None);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e =
            Settings::from_lookup(|k| (k == "FILEGATE_INLINE_UPLOAD_LIMIT").then(|| "lots".into()))
                .expect_err("must fail");
        assert!(e.contains("FILEGATE_INLINE_UPLOAD_LIMIT"), "{e}");
        let e = Settings::from_lookup(|k| (k == "FILEGATE_BACKEND").then(|| "gcp".into()))
            .expect_err("must fail");
        assert!(e.contains("FILEGATE_BACKEND"));
    }

    #[test]
    fn extension_lists_deny_wins() {
        let s = Settings::from_lookup(|k| match k {
            "FILEGATE_ALLOWED_EXTENSIONS" => Some("pdf, .PNG,exe".into()),
            "FILEGATE_DENIED_EXTENSIONS" => Some("exe".into()),
            _ => None,
        })
        .expect("settings");
        assert!(s.extension_allowed("pdf"));
        assert!(s.extension_allowed("png"));
        assert!(!s.extension_allowed("exe"));
        assert!(!s.extension_allowed("txt"));
    }
}
