//! `cargo bench -p filegate-shared`: the per-request pure work (header functions, the HTML
//! preview renderer, cursors, key checks), timed with plain `Instant` loops and printed.

use std::hint::black_box;
use std::time::Instant;

use filegate_shared::auth::{ApiKey, NewKey};
use filegate_shared::domain::{FileId, Scopes};
use filegate_shared::http::content_disposition::{content_disposition, Disposition};
use filegate_shared::http::range::evaluate_range;
use filegate_shared::http::render_html::{render_html, RenderKind, RenderLimits};
use filegate_shared::ops::cursor;

fn bench(name: &str, iters: u32, mut f: impl FnMut()) {
    for _ in 0..iters.min(1000) {
        f();
    }
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    let per = start.elapsed() / iters;
    println!(
        "{name:<46} {:>12.3} µs/op  ({iters} iterations)",
        per.as_secs_f64() * 1e6
    );
}

fn main() {
    bench("evaluate_range(\"bytes=0-99\")", 1_000_000, || {
        black_box(evaluate_range(black_box(Some("bytes=0-99")), 5_000_000));
    });
    bench(
        "content_disposition(Résumé 2026 — final.pdf)",
        200_000,
        || {
            black_box(content_disposition(
                Disposition::Attachment,
                black_box("Résumé 2026 — final.pdf"),
            ));
        },
    );
    let key = NewKey::generate("dev", None, Scopes::ALL);
    bench("ApiKey::parse + constant-time match", 200_000, || {
        let k = ApiKey::parse(black_box(&key.full));
        black_box(k.map(|k| k.matches(&key.record)));
    });
    let secret = [7u8; 32];
    let id = FileId::new();
    bench("cursor encode + decode", 200_000, || {
        let c = cursor::encode(&secret, &id, Some("u"), None);
        black_box(cursor::decode(&secret, &c, Some("u"), None).ok());
    });
    let mut csv = String::from("id,name,note\n");
    while csv.len() < 1024 * 1024 {
        csv.push_str("12345,\"Doe, Jane\",<script>alert(1)</script>\n");
    }
    let limits = RenderLimits {
        max_rows: 1000,
        max_bytes: 1024 * 1024,
    };
    bench("render_html(1 MiB CSV, 1000-row cap)", 50, || {
        black_box(render_html(
            RenderKind::Delimited,
            "big.csv",
            csv.as_bytes(),
            false,
            limits,
        ));
    });
    let text = "x < y & z\n".repeat(100_000);
    bench("render_html(1 MiB text)", 50, || {
        black_box(render_html(
            RenderKind::Text,
            "big.txt",
            text.as_bytes(),
            false,
            limits,
        ));
    });
}
