//! Query strings and percent-encoding, without pulling a URL crate into every function.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986 unreserved characters is encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// `application/x-www-form-urlencoded` pairs; `+` is a space; invalid UTF-8 is replaced.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let dec = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (dec(k), dec(v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let v = "a b&c=d/é+";
        let q = format!("x={}", encode_component(v));
        assert_eq!(parse_query(&q), vec![("x".to_string(), v.to_string())]);
        assert_eq!(
            parse_query("a=1&&b"),
            vec![("a".into(), "1".into()), ("b".into(), "".into())]
        );
    }
}
