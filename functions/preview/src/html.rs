//! `render=html`: CSV/TSV, XML and text as a self-contained, script-free HTML page.

use filegate_shared::backend::Backend;
use filegate_shared::domain::FileRecord;
use filegate_shared::http::render_html::{
    render_html, render_kind, RenderKind, RenderLimits, PREVIEW_CSP,
};
use filegate_shared::ApiError;

pub fn kind_of(file: &FileRecord) -> Option<RenderKind> {
    render_kind(&file.mime_type, file.extension.as_deref())
}

/// Reads at most the render budget of the file (a ranged read), never the whole of a big one.
pub async fn render(b: &Backend, file: &FileRecord, kind: RenderKind) -> Result<String, ApiError> {
    let budget = b.settings.render_max_bytes;
    let truncated = file.size > budget;
    let bytes = if file.size == 0 {
        bytes::Bytes::new()
    } else {
        let end = file.size.min(budget) - 1;
        b.blobs
            .get(&file.blob_key(), Some(0..=end))
            .await
            .map_err(|e| match e {
                filegate_shared::store::StoreError::NotFound => ApiError::FileNotFound,
                other => other.into(),
            })?
    };
    let limits = RenderLimits {
        max_rows: b.settings.render_max_rows,
        max_bytes: usize::try_from(budget).unwrap_or(usize::MAX),
    };
    Ok(render_html(kind, &file.name, &bytes, truncated, limits))
}

pub const CSP: &str = PREVIEW_CSP;
