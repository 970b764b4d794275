//! Conditional requests (RFC 9110 §13), as pure functions of the method, the request headers and
//! the selected representation's validators.
//!
//! Malformed conditions never error: an unparseable date is ignored, as §13.1.3/§13.1.4 require,
//! and an unparseable entity-tag list matches nothing. For `If-Match` that fails closed (412),
//! which is the safe side for a state-changing request; for `If-None-Match` it means "send it".

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::{IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE, IF_UNMODIFIED_SINCE};
use http::{HeaderMap, HeaderName, Method};

/// The validators of the selected representation, as sent in `ETag` and `Last-Modified`.
#[derive(Debug, Clone, Copy)]
pub struct Validators<'a> {
    /// A strong, quoted entity tag, e.g. `"abc"` (with the quotes). An unquoted value is tolerated
    /// and treated as the opaque part of a strong tag.
    pub etag: &'a str,
    /// Compared at one-second precision, the precision of `Last-Modified` on the wire.
    pub last_modified: SystemTime,
}

/// The outcome of evaluating the preconditions of a request (RFC 9110 §13.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// Carry on with the request (and then consider `Range`/`If-Range`).
    Proceed,
    /// 304 Not Modified (only ever for GET and HEAD).
    NotModified,
    /// 412 Precondition Failed.
    Failed,
}

/// Evaluates `If-Match`, `If-Unmodified-Since`, `If-None-Match` and `If-Modified-Since` in the
/// order of RFC 9110 §13.2.2. `If-Range` is separate: see [`if_range_matches`].
///
/// The caller is responsible for §13.2.1's other rule: only evaluate when the response without
/// the conditions would have been 2xx (e.g. not for a 404).
pub fn evaluate_preconditions(
    method: &http::Method,
    headers: &HeaderMap,
    v: &Validators,
) -> Precondition {
    // §13.2.1: methods that neither select nor modify a representation ignore all conditions.
    if *method == Method::CONNECT || *method == Method::OPTIONS || *method == Method::TRACE {
        return Precondition::Proceed;
    }
    let own = own_tag(v.etag);
    let modified = unix_seconds(v.last_modified);

    // Step 1: If-Match, strong comparison (§13.1.1).
    if let Some(condition) = tag_condition(headers, &IF_MATCH) {
        let matched = match condition {
            TagCondition::Any => true, // the representation exists
            TagCondition::Tags(tags) => tags.iter().any(|tag| strong_match(tag, &own)),
            TagCondition::Invalid => false,
        };
        if !matched {
            return Precondition::Failed;
        }
    // Step 2: If-Unmodified-Since, only without If-Match (§13.1.4).
    } else if let Some(since) = single_date(headers, &IF_UNMODIFIED_SINCE) {
        if modified > since {
            return Precondition::Failed;
        }
    }

    let safe = *method == Method::GET || *method == Method::HEAD;

    // Step 3: If-None-Match, weak comparison (§13.1.2).
    if let Some(condition) = tag_condition(headers, &IF_NONE_MATCH) {
        let matched = match condition {
            TagCondition::Any => true,
            TagCondition::Tags(tags) => tags.iter().any(|tag| weak_match(tag, &own)),
            TagCondition::Invalid => false,
        };
        return match (matched, safe) {
            (false, _) => Precondition::Proceed,
            (true, true) => Precondition::NotModified,
            (true, false) => Precondition::Failed,
        };
    }

    // Step 4: If-Modified-Since, GET/HEAD only and only without If-None-Match (§13.1.3).
    if safe {
        if let Some(since) = single_date(headers, &IF_MODIFIED_SINCE) {
            if modified <= since {
                return Precondition::NotModified;
            }
        }
    }
    Precondition::Proceed
}

/// RFC 9110 §13.1.5: whether a `Range` may be honoured. True when there is no `If-Range`, or when
/// it names the current representation: a strong entity-tag match, or an HTTP-date exactly equal
/// to `Last-Modified` (at second precision). Anything else (a weak tag, a different or
/// unparseable value, several field lines) is false: send the whole representation.
pub fn if_range_matches(headers: &HeaderMap, v: &Validators) -> bool {
    let mut values = headers.get_all(IF_RANGE).iter();
    let Some(value) = values.next() else {
        return true;
    };
    if values.next().is_some() {
        return false; // If-Range is a single value, not a list
    }
    let bytes = trim_ows(value.as_bytes());
    if bytes.starts_with(b"\"") || bytes.starts_with(b"W/") {
        return match parse_entity_tag(bytes) {
            Some((tag, rest)) if trim_ows(rest).is_empty() => strong_match(&tag, &own_tag(v.etag)),
            _ => false,
        };
    }
    match value.to_str().ok().and_then(parse_date) {
        Some(date) => date == unix_seconds(v.last_modified),
        None => false,
    }
}

/// Formats `t` as an IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
///
/// Times outside what an HTTP-date can express (before 1970, after 9999) are clamped, because
/// `httpdate` panics on them.
pub fn http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(unix_seconds(t)))
}

/// The last second `httpdate` can format: 9999-12-31T23:59:59Z.
const MAX_HTTP_DATE_SECS: u64 = 253_402_300_799;

/// Whole seconds since the epoch, clamped to the HTTP-date range, so that comparisons are made on
/// exactly what `Last-Modified` carries.
fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        .min(MAX_HTTP_DATE_SECS)
}

fn parse_date(value: &str) -> Option<u64> {
    httpdate::parse_http_date(value.trim())
        .ok()
        .map(unix_seconds)
}

/// The value of a date condition, or `None` when it must be ignored: absent, unparseable, or with
/// more than one member (§13.1.3 says so for If-Modified-Since; §13.1.4 for If-Unmodified-Since).
/// An HTTP-date contains a comma, so "more than one member" can only be seen as several lines.
fn single_date(headers: &HeaderMap, name: &HeaderName) -> Option<u64> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    value.to_str().ok().and_then(parse_date)
}

/// An entity tag (RFC 9110 §8.8.3): the opaque part excludes the quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EntityTag<'a> {
    weak: bool,
    opaque: &'a [u8],
}

/// A parsed `If-Match` / `If-None-Match` field (all of its lines combined).
#[derive(Debug, PartialEq, Eq)]
enum TagCondition<'a> {
    /// `*`
    Any,
    Tags(Vec<EntityTag<'a>>),
    /// Not an entity-tag list: matches nothing.
    Invalid,
}

/// `None` when the field is absent; otherwise its parse, across all of its field lines (a list
/// field may be split over several lines, §5.3).
fn tag_condition<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<TagCondition<'h>> {
    let mut present = false;
    let mut any = false;
    let mut tags = Vec::new();
    for value in headers.get_all(name) {
        present = true;
        let mut rest = value.as_bytes();
        loop {
            // `#element` lists: OWS around commas, empty elements tolerated (§5.6.1.2).
            rest = trim_ows_start(rest);
            match rest.first() {
                None => break,
                Some(b',') => {
                    rest = &rest[1..];
                    continue;
                }
                Some(b'*') => {
                    any = true;
                    rest = &rest[1..];
                }
                Some(_) => match parse_entity_tag(rest) {
                    Some((tag, after)) => {
                        tags.push(tag);
                        rest = after;
                    }
                    None => return Some(TagCondition::Invalid),
                },
            }
            rest = trim_ows_start(rest);
            match rest.first() {
                None => break,
                Some(b',') => rest = &rest[1..],
                Some(_) => return Some(TagCondition::Invalid), // e.g. `"a""b"` or `"a" x`
            }
        }
    }
    if !present {
        None
    } else if any {
        Some(TagCondition::Any)
    } else {
        Some(TagCondition::Tags(tags))
    }
}

/// Parses one `entity-tag = [ weak ] opaque-tag` at the start of `input` and returns the rest.
/// `weak` is the case-sensitive `W/`; the opaque part allows only `etagc` (no DQUOTE, no
/// whitespace, no controls; obs-text is allowed).
fn parse_entity_tag(input: &[u8]) -> Option<(EntityTag<'_>, &[u8])> {
    let (weak, quoted) = match input.strip_prefix(b"W/") {
        Some(rest) => (true, rest),
        None => (false, input),
    };
    let body = quoted.strip_prefix(b"\"")?;
    let close = body.iter().position(|&b| b == b'"')?;
    let opaque = &body[..close];
    let is_etagc = |b: &u8| *b == 0x21 || (0x23..=0x7E).contains(b) || *b >= 0x80;
    if !opaque.iter().all(is_etagc) {
        return None;
    }
    Some((EntityTag { weak, opaque }, &body[close + 1..]))
}

/// Our own tag. Callers promise a strong quoted tag; an unquoted one is read as its opaque part so
/// that a caller slip does not make every condition fail.
fn own_tag(etag: &str) -> EntityTag<'_> {
    let bytes = trim_ows(etag.as_bytes());
    match parse_entity_tag(bytes) {
        Some((tag, [])) => tag,
        _ => EntityTag {
            weak: false,
            opaque: bytes,
        },
    }
}

/// Strong comparison (§8.8.3.2): both strong and identical.
fn strong_match(a: &EntityTag, b: &EntityTag) -> bool {
    !a.weak && !b.weak && a.opaque == b.opaque
}

/// Weak comparison (§8.8.3.2): identical opaque parts, whatever the weakness.
fn weak_match(a: &EntityTag, b: &EntityTag) -> bool {
    a.opaque == b.opaque
}

fn trim_ows_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(bytes.len());
    &bytes[start..]
}

fn trim_ows(bytes: &[u8]) -> &[u8] {
    let trimmed = trim_ows_start(bytes);
    let end = trimmed
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    &trimmed[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    const ETAG: &str = "\"abc\"";
    /// Sun, 06 Nov 1994 08:49:37 GMT, the example date of RFC 9110 §5.6.7.
    const LM_SECS: u64 = 784_111_777;
    const LM: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
    const BEFORE_LM: &str = "Sun, 06 Nov 1994 08:49:36 GMT";
    const AFTER_LM: &str = "Sun, 06 Nov 1994 08:49:38 GMT";

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn validators() -> Validators<'static> {
        Validators {
            etag: ETAG,
            last_modified: at(LM_SECS),
        }
    }

    fn headers(pairs: &[(HeaderName, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                name.clone(),
                HeaderValue::from_bytes(value).expect("test header value"),
            );
        }
        map
    }

    fn eval(method: Method, pairs: &[(HeaderName, &[u8])]) -> Precondition {
        evaluate_preconditions(&method, &headers(pairs), &validators())
    }

    fn get(pairs: &[(HeaderName, &[u8])]) -> Precondition {
        eval(Method::GET, pairs)
    }

    fn if_range(pairs: &[(HeaderName, &[u8])]) -> bool {
        if_range_matches(&headers(pairs), &validators())
    }

    // --- §13.1.1 If-Match -----------------------------------------------------------------------

    #[test]
    fn rfc9110_13_1_1_no_conditions_proceed() {
        assert_eq!(get(&[]), Precondition::Proceed);
        assert_eq!(eval(Method::PUT, &[]), Precondition::Proceed);
    }

    #[test]
    fn rfc9110_13_1_1_if_match_star_matches_any() {
        assert_eq!(get(&[(IF_MATCH, b"*")]), Precondition::Proceed);
        assert_eq!(
            eval(Method::PUT, &[(IF_MATCH, b" * ")]),
            Precondition::Proceed
        );
    }

    #[test]
    fn rfc9110_13_1_1_if_match_strong_match_proceeds() {
        assert_eq!(get(&[(IF_MATCH, b"\"abc\"")]), Precondition::Proceed);
        assert_eq!(
            eval(Method::DELETE, &[(IF_MATCH, b"\"abc\"")]),
            Precondition::Proceed
        );
    }

    #[test]
    fn rfc9110_13_1_1_if_match_mismatch_fails() {
        assert_eq!(get(&[(IF_MATCH, b"\"xyz\"")]), Precondition::Failed);
        assert_eq!(
            eval(Method::PUT, &[(IF_MATCH, b"\"ABC\"")]),
            Precondition::Failed
        );
    }

    #[test]
    fn rfc9110_13_1_1_if_match_uses_strong_comparison() {
        assert_eq!(get(&[(IF_MATCH, b"W/\"abc\"")]), Precondition::Failed);
    }

    #[test]
    fn rfc9110_13_1_1_if_match_list_matches_any_member() {
        assert_eq!(
            get(&[(IF_MATCH, b"\"xyzzy\", \"r2d2xxxx\", \"abc\"")]),
            Precondition::Proceed
        );
        assert_eq!(
            get(&[(IF_MATCH, b"\"xyzzy\", \"r2d2xxxx\", \"c3piozzzz\"")]),
            Precondition::Failed
        );
    }

    #[test]
    fn rfc9110_5_3_if_match_split_over_several_field_lines() {
        assert_eq!(
            get(&[(IF_MATCH, b"\"xyzzy\""), (IF_MATCH, b"\"abc\"")]),
            Precondition::Proceed
        );
    }

    #[test]
    fn rfc9110_13_1_1_if_match_garbage_never_matches() {
        for garbage in [
            &b"abc"[..],
            b"\"abc",
            b"\"abc\" junk",
            b"\"abc\"\"abc\"",
            b"w/\"abc\"",
            b"\"a bc\"",
            b"\"abc\";",
            b"",
        ] {
            assert_eq!(
                get(&[(IF_MATCH, garbage)]),
                Precondition::Failed,
                "{:?}",
                String::from_utf8_lossy(garbage)
            );
        }
    }

    #[test]
    fn rfc9110_13_1_1_if_match_failure_precedes_if_none_match() {
        assert_eq!(
            get(&[(IF_MATCH, b"\"xyz\""), (IF_NONE_MATCH, b"\"abc\"")]),
            Precondition::Failed
        );
    }

    // --- §13.1.4 If-Unmodified-Since ------------------------------------------------------------

    #[test]
    fn rfc9110_13_1_4_if_unmodified_since_modified_after_fails() {
        assert_eq!(
            eval(Method::PUT, &[(IF_UNMODIFIED_SINCE, BEFORE_LM.as_bytes())]),
            Precondition::Failed
        );
        assert_eq!(
            get(&[(IF_UNMODIFIED_SINCE, BEFORE_LM.as_bytes())]),
            Precondition::Failed
        );
    }

    #[test]
    fn rfc9110_13_1_4_if_unmodified_since_equal_or_later_proceeds() {
        assert_eq!(
            eval(Method::PUT, &[(IF_UNMODIFIED_SINCE, LM.as_bytes())]),
            Precondition::Proceed
        );
        assert_eq!(
            eval(Method::PUT, &[(IF_UNMODIFIED_SINCE, AFTER_LM.as_bytes())]),
            Precondition::Proceed
        );
    }

    #[test]
    fn rfc9110_13_1_4_if_unmodified_since_ignored_when_if_match_present() {
        assert_eq!(
            eval(
                Method::PUT,
                &[
                    (IF_MATCH, b"\"abc\""),
                    (IF_UNMODIFIED_SINCE, BEFORE_LM.as_bytes())
                ]
            ),
            Precondition::Proceed
        );
    }

    #[test]
    fn rfc9110_13_1_4_if_unmodified_since_invalid_date_ignored() {
        for bad in [
            &b"yesterday"[..],
            b"",
            b"Sun, 06 Nov 1994 08:49:37",
            b"Mon, 06 Nov 1994 08:49:37 GMT", // wrong weekday
            b"Sun, 31 Feb 1994 08:49:37 GMT",
            b"Sun, 06 Nov 1994 25:49:37 GMT",
            b"784111776",
            b"Fri, 01 Jan 1960 00:00:00 GMT",
            b"Sun, 06 Nov 1994 08:49:37 GMT\xff",
        ] {
            assert_eq!(
                eval(Method::PUT, &[(IF_UNMODIFIED_SINCE, bad)]),
                Precondition::Proceed,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn rfc9110_13_1_4_if_unmodified_since_with_several_members_ignored() {
        assert_eq!(
            eval(
                Method::PUT,
                &[
                    (IF_UNMODIFIED_SINCE, BEFORE_LM.as_bytes()),
                    (IF_UNMODIFIED_SINCE, BEFORE_LM.as_bytes())
                ]
            ),
            Precondition::Proceed
        );
    }

    #[test]
    fn rfc9110_13_2_2_if_unmodified_since_failure_precedes_if_none_match() {
        assert_eq!(
            get(&[
                (IF_UNMODIFIED_SINCE, BEFORE_LM.as_bytes()),
                (IF_NONE_MATCH, b"\"abc\"")
            ]),
            Precondition::Failed
        );
    }

    // --- §13.1.2 If-None-Match ------------------------------------------------------------------

    #[test]
    fn rfc9110_13_1_2_if_none_match_weak_comparison() {
        assert_eq!(
            get(&[(IF_NONE_MATCH, b"W/\"abc\"")]),
            Precondition::NotModified
        );
        assert_eq!(
            get(&[(IF_NONE_MATCH, b"\"abc\"")]),
            Precondition::NotModified
        );
    }

    #[test]
    fn rfc9110_13_1_2_if_none_match_head_is_not_modified() {
        assert_eq!(
            eval(Method::HEAD, &[(IF_NONE_MATCH, b"\"abc\"")]),
            Precondition::NotModified
        );
    }

    #[test]
    fn rfc9110_13_1_2_if_none_match_mismatch_proceeds() {
        assert_eq!(get(&[(IF_NONE_MATCH, b"\"xyz\"")]), Precondition::Proceed);
        assert_eq!(
            get(&[(IF_NONE_MATCH, b"W/\"xyz\", \"abcd\"")]),
            Precondition::Proceed
        );
    }

    #[test]
    fn rfc9110_13_1_2_if_none_match_list_with_whitespace_and_empty_elements() {
        assert_eq!(
            get(&[(IF_NONE_MATCH, b" , \"xyzzy\" ,,\tW/\"abc\" , ")]),
            Precondition::NotModified
        );
    }

    #[test]
    fn rfc9110_13_1_2_if_none_match_star() {
        assert_eq!(get(&[(IF_NONE_MATCH, b"*")]), Precondition::NotModified);
        // The classic "create only if absent" PUT: the representation exists, so 412.
        assert_eq!(
            eval(Method::PUT, &[(IF_NONE_MATCH, b"*")]),
            Precondition::Failed
        );
    }

    #[test]
    fn rfc9110_13_1_2_if_none_match_on_unsafe_method_fails() {
        assert_eq!(
            eval(Method::POST, &[(IF_NONE_MATCH, b"\"abc\"")]),
            Precondition::Failed
        );
        assert_eq!(
            eval(Method::DELETE, &[(IF_NONE_MATCH, b"W/\"abc\"")]),
            Precondition::Failed
        );
        assert_eq!(
            eval(Method::POST, &[(IF_NONE_MATCH, b"\"xyz\"")]),
            Precondition::Proceed
        );
    }

    #[test]
    fn rfc9110_13_1_2_if_none_match_garbage_never_matches() {
        assert_eq!(get(&[(IF_NONE_MATCH, b"abc")]), Precondition::Proceed);
        assert_eq!(get(&[(IF_NONE_MATCH, b"\"abc")]), Precondition::Proceed);
        assert_eq!(
            get(&[(IF_NONE_MATCH, b"\"abc\" garbage")]),
            Precondition::Proceed
        );
    }

    #[test]
    fn rfc9110_8_8_3_obs_text_in_entity_tags() {
        let mut map = HeaderMap::new();
        map.insert(
            IF_NONE_MATCH,
            HeaderValue::from_bytes(b"\"caf\xc3\xa9\"").expect("obs-text header"),
        );
        let v = Validators {
            etag: "\"café\"",
            last_modified: at(LM_SECS),
        };
        assert_eq!(
            evaluate_preconditions(&Method::GET, &map, &v),
            Precondition::NotModified
        );
    }

    // --- §13.1.3 If-Modified-Since --------------------------------------------------------------

    #[test]
    fn rfc9110_13_1_3_if_modified_since_not_modified() {
        assert_eq!(
            get(&[(IF_MODIFIED_SINCE, LM.as_bytes())]),
            Precondition::NotModified
        );
        assert_eq!(
            get(&[(IF_MODIFIED_SINCE, AFTER_LM.as_bytes())]),
            Precondition::NotModified
        );
        assert_eq!(
            eval(Method::HEAD, &[(IF_MODIFIED_SINCE, LM.as_bytes())]),
            Precondition::NotModified
        );
    }

    #[test]
    fn rfc9110_13_1_3_if_modified_since_modified_proceeds() {
        assert_eq!(
            get(&[(IF_MODIFIED_SINCE, BEFORE_LM.as_bytes())]),
            Precondition::Proceed
        );
    }

    #[test]
    fn rfc9110_13_1_3_if_modified_since_compares_at_second_precision() {
        let v = Validators {
            etag: ETAG,
            last_modified: at(LM_SECS) + Duration::from_millis(999),
        };
        let map = headers(&[(IF_MODIFIED_SINCE, LM.as_bytes())]);
        assert_eq!(
            evaluate_preconditions(&Method::GET, &map, &v),
            Precondition::NotModified
        );
    }

    #[test]
    fn rfc9110_13_1_3_if_modified_since_ignored_for_other_methods() {
        for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
            assert_eq!(
                eval(method, &[(IF_MODIFIED_SINCE, LM.as_bytes())]),
                Precondition::Proceed
            );
        }
    }

    #[test]
    fn rfc9110_13_1_3_if_modified_since_invalid_date_ignored() {
        for bad in [&b"not a date"[..], b"", b"-1", b"Sun, 06 Nov 1994"] {
            assert_eq!(get(&[(IF_MODIFIED_SINCE, bad)]), Precondition::Proceed);
        }
    }

    #[test]
    fn rfc9110_13_1_3_if_modified_since_with_several_members_ignored() {
        assert_eq!(
            get(&[
                (IF_MODIFIED_SINCE, LM.as_bytes()),
                (IF_MODIFIED_SINCE, AFTER_LM.as_bytes())
            ]),
            Precondition::Proceed
        );
    }

    #[test]
    fn rfc9110_5_6_7_obsolete_date_formats_are_accepted() {
        assert_eq!(
            get(&[(IF_MODIFIED_SINCE, b"Sunday, 06-Nov-94 08:49:37 GMT")]),
            Precondition::NotModified
        );
        assert_eq!(
            get(&[(IF_MODIFIED_SINCE, b"Sun Nov  6 08:49:37 1994")]),
            Precondition::NotModified
        );
        assert_eq!(
            get(&[(IF_MODIFIED_SINCE, b"  Sun, 06 Nov 1994 08:49:37 GMT  ")]),
            Precondition::NotModified
        );
    }

    // --- §13.2.2 evaluation order ---------------------------------------------------------------

    #[test]
    fn rfc9110_13_2_2_if_none_match_takes_precedence_over_if_modified_since() {
        // The tag differs, so the resource is sent even though the date says "not modified".
        assert_eq!(
            get(&[
                (IF_NONE_MATCH, b"\"xyz\""),
                (IF_MODIFIED_SINCE, AFTER_LM.as_bytes())
            ]),
            Precondition::Proceed
        );
        // Even an unparseable If-None-Match is present, so If-Modified-Since is ignored.
        assert_eq!(
            get(&[
                (IF_NONE_MATCH, b"garbage"),
                (IF_MODIFIED_SINCE, AFTER_LM.as_bytes())
            ]),
            Precondition::Proceed
        );
        assert_eq!(
            get(&[
                (IF_NONE_MATCH, b"\"abc\""),
                (IF_MODIFIED_SINCE, BEFORE_LM.as_bytes())
            ]),
            Precondition::NotModified
        );
    }

    #[test]
    fn rfc9110_13_2_2_if_match_success_then_if_none_match() {
        assert_eq!(
            get(&[(IF_MATCH, b"\"abc\""), (IF_NONE_MATCH, b"\"abc\"")]),
            Precondition::NotModified
        );
        assert_eq!(
            get(&[(IF_MATCH, b"*"), (IF_NONE_MATCH, b"\"xyz\"")]),
            Precondition::Proceed
        );
    }

    #[test]
    fn rfc9110_13_2_2_if_unmodified_since_success_then_if_modified_since() {
        assert_eq!(
            get(&[
                (IF_UNMODIFIED_SINCE, LM.as_bytes()),
                (IF_MODIFIED_SINCE, LM.as_bytes())
            ]),
            Precondition::NotModified
        );
    }

    #[test]
    fn rfc9110_13_2_1_conditions_ignored_for_connect_options_trace() {
        for method in [Method::CONNECT, Method::OPTIONS, Method::TRACE] {
            assert_eq!(
                eval(method, &[(IF_MATCH, b"\"xyz\""), (IF_NONE_MATCH, b"*")]),
                Precondition::Proceed
            );
        }
    }

    // --- §8.8.3.2 comparison --------------------------------------------------------------------

    #[test]
    fn rfc9110_8_8_3_2_comparison_table() {
        fn tag(s: &str) -> EntityTag<'_> {
            match parse_entity_tag(s.as_bytes()) {
                Some((tag, [])) => tag,
                _ => panic!("bad test tag {s}"),
            }
        }
        // | ETag 1 | ETag 2 | Strong Comparison | Weak Comparison |
        let table = [
            ("W/\"1\"", "W/\"1\"", false, true),
            ("W/\"1\"", "W/\"2\"", false, false),
            ("W/\"1\"", "\"1\"", false, true),
            ("\"1\"", "\"1\"", true, true),
        ];
        for (a, b, strong, weak) in table {
            assert_eq!(strong_match(&tag(a), &tag(b)), strong, "{a} {b}");
            assert_eq!(weak_match(&tag(a), &tag(b)), weak, "{a} {b}");
        }
    }

    #[test]
    fn rfc9110_8_8_3_empty_opaque_tag_is_valid() {
        let v = Validators {
            etag: "\"\"",
            last_modified: at(LM_SECS),
        };
        let map = headers(&[(IF_NONE_MATCH, b"\"\"")]);
        assert_eq!(
            evaluate_preconditions(&Method::GET, &map, &v),
            Precondition::NotModified
        );
    }

    #[test]
    fn unquoted_own_etag_is_tolerated() {
        let v = Validators {
            etag: "abc",
            last_modified: at(LM_SECS),
        };
        let map = headers(&[(IF_MATCH, b"\"abc\"")]);
        assert_eq!(
            evaluate_preconditions(&Method::PUT, &map, &v),
            Precondition::Proceed
        );
    }

    // --- §13.1.5 If-Range -----------------------------------------------------------------------

    #[test]
    fn rfc9110_13_1_5_no_if_range_matches() {
        assert!(if_range(&[]));
    }

    #[test]
    fn rfc9110_13_1_5_if_range_strong_etag_match() {
        assert!(if_range(&[(IF_RANGE, b"\"abc\"")]));
        assert!(if_range(&[(IF_RANGE, b" \"abc\" ")]));
        assert!(!if_range(&[(IF_RANGE, b"\"abd\"")]));
    }

    #[test]
    fn rfc9110_13_1_5_if_range_with_weak_etag_never_matches() {
        assert!(!if_range(&[(IF_RANGE, b"W/\"abc\"")]));
        let weak_own = Validators {
            etag: "W/\"abc\"",
            last_modified: at(LM_SECS),
        };
        let map = headers(&[(IF_RANGE, b"\"abc\"")]);
        assert!(!if_range_matches(&map, &weak_own));
    }

    #[test]
    fn rfc9110_13_1_5_if_range_date_must_match_exactly() {
        assert!(if_range(&[(IF_RANGE, LM.as_bytes())]));
        assert!(!if_range(&[(IF_RANGE, BEFORE_LM.as_bytes())]));
        // Later is not "exactly": the client's copy is not the current one.
        assert!(!if_range(&[(IF_RANGE, AFTER_LM.as_bytes())]));
    }

    #[test]
    fn rfc9110_13_1_5_if_range_date_compares_at_second_precision() {
        let v = Validators {
            etag: ETAG,
            last_modified: at(LM_SECS) + Duration::from_millis(500),
        };
        assert!(if_range_matches(&headers(&[(IF_RANGE, LM.as_bytes())]), &v));
    }

    #[test]
    fn rfc9110_13_1_5_if_range_invalid_values_do_not_match() {
        for bad in [
            &b"*"[..],
            b"abc",
            b"\"abc\", \"abc\"",
            b"\"abc",
            b"yesterday",
            b"",
            b"W/abc",
        ] {
            assert!(
                !if_range(&[(IF_RANGE, bad)]),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(!if_range(&[(IF_RANGE, b"\"abc\""), (IF_RANGE, b"\"abc\"")]));
    }

    // --- §5.6.7 HTTP-date -----------------------------------------------------------------------

    #[test]
    fn rfc9110_5_6_7_http_date_is_imf_fixdate() {
        assert_eq!(http_date(at(LM_SECS)), LM);
        assert_eq!(
            http_date(at(LM_SECS) + Duration::from_millis(999)),
            LM,
            "sub-second part is truncated, not rounded"
        );
        assert_eq!(http_date(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn rfc9110_5_6_7_http_date_clamps_out_of_range_times() {
        let before_epoch = UNIX_EPOCH - Duration::from_secs(86_400);
        assert_eq!(http_date(before_epoch), "Thu, 01 Jan 1970 00:00:00 GMT");
        let far_future = UNIX_EPOCH + Duration::from_secs(400_000_000_000);
        assert_eq!(http_date(far_future), "Fri, 31 Dec 9999 23:59:59 GMT");
    }

    #[test]
    fn rfc9110_5_6_7_http_date_round_trips_through_conditions() {
        let now = SystemTime::now();
        let v = Validators {
            etag: ETAG,
            last_modified: now,
        };
        let date = http_date(now);
        let map = headers(&[(IF_MODIFIED_SINCE, date.as_bytes())]);
        assert_eq!(
            evaluate_preconditions(&Method::GET, &map, &v),
            Precondition::NotModified
        );
        assert!(if_range_matches(
            &headers(&[(IF_RANGE, date.as_bytes())]),
            &v
        ));
    }
}
