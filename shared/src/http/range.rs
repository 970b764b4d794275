//! `Range` request header evaluation (RFC 9110 §14), as a pure function of the header value and
//! the representation's length.
//!
//! The function answers the one question a handler has: send the whole body (200), one byte range
//! (206), or nothing (416). It never fails: a header we cannot or will not honour means "send the
//! whole body", which RFC 9110 §14.2 always allows ("a server MAY ignore the Range header field").

/// One satisfiable byte range, already clipped to the representation: `start..=end`, never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    /// Inclusive, like `last-pos` in the header and in `Content-Range`.
    pub end: u64,
}

// A `ByteRange` is never empty by construction, so an `is_empty` would only ever say `false`.
#[allow(clippy::len_without_is_empty)]
impl ByteRange {
    /// Number of bytes in the range (`end` is inclusive, so never zero). Saturating, because the
    /// fields are public and a hand-built value must not panic here.
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start).saturating_add(1)
    }

    /// `Content-Range` value for a 206 response (RFC 9110 §14.4), e.g. `bytes 0-99/1234`.
    pub fn content_range(&self, size: u64) -> String {
        format!("bytes {}-{}/{}", self.start, self.end, size)
    }
}

/// What to answer to a request's `Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeOutcome {
    /// 200 with the whole body: no header, a header we ignore, or several ranges.
    Full,
    /// 206 with exactly this range.
    Partial(ByteRange),
    /// 416 with `Content-Range: bytes */size` (see [`unsatisfied_content_range`]).
    Unsatisfiable,
}

/// `Content-Range` value for a 416 response (RFC 9110 §14.4), e.g. `bytes */1234`.
pub fn unsatisfied_content_range(size: u64) -> String {
    format!("bytes */{size}")
}

/// One syntactically valid `range-spec` of the `bytes` unit (RFC 9110 §14.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spec {
    /// `first-pos "-" [ last-pos ]`; `last` is `None` for an open-ended `a-`.
    Int { first: u64, last: Option<u64> },
    /// `"-" suffix-length`.
    Suffix(u64),
}

/// Decides how to answer `header` (the `Range` field value, if any) for a body of `size` bytes.
///
/// Contract beyond the RFC: several ranges are answered with the whole body (we do not produce
/// `multipart/byteranges`), unless none of them is satisfiable, which is still a 416.
pub fn evaluate_range(header: Option<&str>, size: u64) -> RangeOutcome {
    let Some(header) = header else {
        return RangeOutcome::Full;
    };
    let Some(specs) = parse_bytes_ranges(header) else {
        // Unknown unit or invalid syntax: RFC 9110 §14.2 says to ignore the field.
        return RangeOutcome::Full;
    };
    let mut satisfiable = specs.iter().filter_map(|spec| resolve(*spec, size));
    match (satisfiable.next(), satisfiable.next()) {
        (None, _) => {
            // §14.1.1: a suffix range of non-zero length is satisfiable even on an empty body, but
            // there is no byte to put in a 206 (`Content-Range` cannot express an empty range),
            // so the honest answer is the whole, empty, body.
            let empty_body_suffix = size == 0
                && specs
                    .iter()
                    .any(|spec| matches!(spec, Spec::Suffix(n) if *n > 0));
            if empty_body_suffix {
                RangeOutcome::Full
            } else {
                RangeOutcome::Unsatisfiable
            }
        }
        (Some(range), None) if specs.len() == 1 => RangeOutcome::Partial(range),
        // Several ranges (even when only one is satisfiable): our contract allows the whole body.
        _ => RangeOutcome::Full,
    }
}

/// Clips one spec to the body, or `None` when it does not overlap it (RFC 9110 §14.1.1:
/// `first-pos` at or past the length, or a zero `suffix-length`).
fn resolve(spec: Spec, size: u64) -> Option<ByteRange> {
    let last_byte = size.checked_sub(1)?;
    match spec {
        Spec::Int { first, last } => {
            if first > last_byte {
                return None;
            }
            // A missing or too large last-pos means "to the end" (§14.1.2).
            let end = last.map_or(last_byte, |last| last.min(last_byte));
            Some(ByteRange { start: first, end })
        }
        Spec::Suffix(0) => None,
        Spec::Suffix(n) => Some(ByteRange {
            // A suffix longer than the body selects the whole body (§14.1.2).
            start: size.saturating_sub(n),
            end: last_byte,
        }),
    }
}

/// Parses `bytes=<range-set>`; `None` for another unit or any syntax error, so the caller can
/// ignore the header as a whole (one invalid spec invalidates the field, §14.1.1).
fn parse_bytes_ranges(header: &str) -> Option<Vec<Spec>> {
    let (unit, set) = header.split_once('=')?;
    // Range units are case-insensitive (§14.1). OWS around `=` is not in the grammar but is
    // harmless to accept.
    if !unit.trim_matches(is_ows).eq_ignore_ascii_case("bytes") {
        return None;
    }
    let mut specs = Vec::new();
    // `1#range-spec`: OWS around commas, and empty list elements must be tolerated (§5.6.1.2).
    for element in set.split(',') {
        let element = element.trim_matches(is_ows);
        if element.is_empty() {
            continue;
        }
        specs.push(parse_spec(element)?);
    }
    if specs.is_empty() {
        return None;
    }
    Some(specs)
}

fn parse_spec(spec: &str) -> Option<Spec> {
    let (first, last) = spec.split_once('-')?;
    if first.is_empty() {
        return Some(Spec::Suffix(parse_pos(last)?));
    }
    let first = parse_pos(first)?;
    let last = if last.is_empty() {
        None
    } else {
        Some(parse_pos(last)?)
    };
    if matches!(last, Some(last) if last < first) {
        // §14.1.1: "invalid if the last-pos value is present and less than the first-pos".
        return None;
    }
    Some(Spec::Int { first, last })
}

/// `1*DIGIT`, saturating at `u64::MAX`: a position past any real length behaves like one just past
/// the end (unsatisfiable first-pos, clipped last-pos, whole-body suffix), which is what the huge
/// number means, instead of overflowing or rejecting a valid header.
fn parse_pos(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.bytes().fold(0u64, |acc, b| {
        acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

/// Optional whitespace (RFC 9110 §5.6.3): space and horizontal tab only.
fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The representation length used by the examples of RFC 9110 §14.1.2.
    const LEN: u64 = 10_000;

    fn partial(start: u64, end: u64) -> RangeOutcome {
        RangeOutcome::Partial(ByteRange { start, end })
    }

    fn eval(header: &str, size: u64) -> RangeOutcome {
        evaluate_range(Some(header), size)
    }

    // --- RFC 9110 §14.1.2 examples -------------------------------------------------------------

    #[test]
    fn rfc9110_14_1_2_first_500_bytes() {
        assert_eq!(eval("bytes=0-499", LEN), partial(0, 499));
    }

    #[test]
    fn rfc9110_14_1_2_second_500_bytes() {
        assert_eq!(eval("bytes=500-999", LEN), partial(500, 999));
    }

    #[test]
    fn rfc9110_14_1_2_suffix_last_500_bytes() {
        assert_eq!(eval("bytes=-500", LEN), partial(9500, 9999));
    }

    #[test]
    fn rfc9110_14_1_2_open_ended_last_500_bytes() {
        assert_eq!(eval("bytes=9500-", LEN), partial(9500, 9999));
    }

    #[test]
    fn rfc9110_14_1_2_first_and_last_byte_only_is_answered_whole() {
        assert_eq!(eval("bytes=0-0,-1", LEN), RangeOutcome::Full);
    }

    #[test]
    fn rfc9110_14_1_2_other_valid_multi_ranges_are_answered_whole() {
        assert_eq!(eval("bytes=500-600,601-999", LEN), RangeOutcome::Full);
        assert_eq!(eval("bytes=500-700,601-999", LEN), RangeOutcome::Full);
    }

    #[test]
    fn rfc9110_14_1_2_last_pos_beyond_length_is_clipped() {
        assert_eq!(eval("bytes=9500-20000", LEN), partial(9500, 9999));
        assert_eq!(eval("bytes=0-10000", LEN), partial(0, 9999));
    }

    #[test]
    fn rfc9110_14_1_2_suffix_longer_than_length_selects_whole_body() {
        assert_eq!(eval("bytes=-20000", LEN), partial(0, 9999));
        assert_eq!(eval("bytes=-10000", LEN), partial(0, 9999));
    }

    #[test]
    fn rfc9110_14_1_2_open_ended_from_zero_is_partial_whole_body() {
        assert_eq!(eval("bytes=0-", LEN), partial(0, 9999));
    }

    #[test]
    fn rfc9110_14_1_2_single_byte_ranges() {
        assert_eq!(eval("bytes=0-0", LEN), partial(0, 0));
        assert_eq!(eval("bytes=9999-9999", LEN), partial(9999, 9999));
        assert_eq!(eval("bytes=-1", LEN), partial(9999, 9999));
        assert_eq!(eval("bytes=0-0", 1), partial(0, 0));
    }

    // --- RFC 9110 §14.1.1 syntax and validity ---------------------------------------------------

    #[test]
    fn rfc9110_14_1_1_first_pos_greater_than_last_pos_is_invalid_and_ignored() {
        assert_eq!(eval("bytes=500-499", LEN), RangeOutcome::Full);
        // One invalid spec invalidates the whole set, even when another spec is unsatisfiable.
        assert_eq!(eval("bytes=20000-,5-3", LEN), RangeOutcome::Full);
    }

    #[test]
    fn rfc9110_14_1_range_unit_is_case_insensitive() {
        assert_eq!(eval("Bytes=0-9", LEN), partial(0, 9));
        assert_eq!(eval("BYTES=0-9", LEN), partial(0, 9));
    }

    #[test]
    fn rfc9110_14_2_unknown_range_unit_is_ignored() {
        assert_eq!(eval("items=0-9", LEN), RangeOutcome::Full);
        assert_eq!(eval("bytesx=0-9", LEN), RangeOutcome::Full);
        assert_eq!(eval("none", LEN), RangeOutcome::Full);
    }

    #[test]
    fn rfc9110_14_2_no_range_header_is_full() {
        assert_eq!(evaluate_range(None, LEN), RangeOutcome::Full);
        assert_eq!(evaluate_range(None, 0), RangeOutcome::Full);
    }

    #[test]
    fn rfc9110_14_2_syntactically_invalid_headers_are_ignored() {
        for header in [
            "",
            "bytes",
            "bytes=",
            "bytes= ",
            "bytes=,",
            "bytes=,,",
            "bytes=-",
            "bytes=--5",
            "bytes=5",
            "bytes=a-b",
            "bytes=1-2-3",
            "bytes=+1-2",
            "bytes=1-+2",
            "bytes=-+5",
            "bytes=0x10-0x20",
            "bytes=1 - 2",
            "bytes=1.5-2",
            "bytes=١-٢", // non-ASCII digits are not DIGIT
            "bytes=0-499;",
            "bytes=0-499,abc",
            "=0-499",
            "bytes==0-499",
        ] {
            assert_eq!(eval(header, LEN), RangeOutcome::Full, "header {header:?}");
        }
    }

    #[test]
    fn rfc9110_5_6_1_whitespace_around_commas_and_equals_is_tolerated() {
        assert_eq!(eval("bytes = 0-499", LEN), partial(0, 499));
        assert_eq!(eval(" bytes=0-499 ", LEN), partial(0, 499));
        assert_eq!(eval("bytes=\t0-499\t", LEN), partial(0, 499));
        assert_eq!(eval("bytes=0-0 , -1", LEN), RangeOutcome::Full);
    }

    #[test]
    fn rfc9110_5_6_1_empty_list_elements_are_ignored() {
        assert_eq!(eval("bytes=,0-499", LEN), partial(0, 499));
        assert_eq!(eval("bytes=0-499,", LEN), partial(0, 499));
        assert_eq!(eval("bytes=, ,0-499, ,", LEN), partial(0, 499));
    }

    #[test]
    fn rfc9110_14_1_1_leading_zeros_are_plain_digits() {
        assert_eq!(eval("bytes=000-010", LEN), partial(0, 10));
        assert_eq!(eval("bytes=-0010", LEN), partial(9990, 9999));
    }

    // --- RFC 9110 §15.5.17 (416) ----------------------------------------------------------------

    #[test]
    fn rfc9110_15_5_17_start_beyond_length_is_unsatisfiable() {
        assert_eq!(eval("bytes=10000-", LEN), RangeOutcome::Unsatisfiable);
        assert_eq!(eval("bytes=10000-10001", LEN), RangeOutcome::Unsatisfiable);
        assert_eq!(eval("bytes=20000-30000", LEN), RangeOutcome::Unsatisfiable);
    }

    #[test]
    fn rfc9110_15_5_17_zero_length_suffix_is_unsatisfiable() {
        assert_eq!(eval("bytes=-0", LEN), RangeOutcome::Unsatisfiable);
        assert_eq!(eval("bytes=-000", LEN), RangeOutcome::Unsatisfiable);
    }

    #[test]
    fn rfc9110_15_5_17_all_of_several_ranges_unsatisfiable() {
        assert_eq!(
            eval("bytes=10000-,20000-", LEN),
            RangeOutcome::Unsatisfiable
        );
        assert_eq!(eval("bytes=-0,10000-10", LEN), RangeOutcome::Full); // 10000-10 is invalid
        assert_eq!(eval("bytes=-0, 10000-", LEN), RangeOutcome::Unsatisfiable);
    }

    #[test]
    fn rfc9110_14_1_1_several_ranges_with_one_satisfiable_are_answered_whole() {
        assert_eq!(eval("bytes=20000-,0-1", LEN), RangeOutcome::Full);
        assert_eq!(eval("bytes=-0,0-1", LEN), RangeOutcome::Full);
    }

    #[test]
    fn rfc9110_15_5_17_empty_representation() {
        assert_eq!(eval("bytes=0-", 0), RangeOutcome::Unsatisfiable);
        assert_eq!(eval("bytes=0-0", 0), RangeOutcome::Unsatisfiable);
        assert_eq!(eval("bytes=-0", 0), RangeOutcome::Unsatisfiable);
        // A non-zero suffix is satisfiable per §14.1.1 but selects zero bytes: whole empty body.
        assert_eq!(eval("bytes=-5", 0), RangeOutcome::Full);
        // Invalid headers are still ignored.
        assert_eq!(eval("bytes=x", 0), RangeOutcome::Full);
    }

    #[test]
    fn rfc9110_14_4_content_range_formats() {
        let range = ByteRange { start: 0, end: 99 };
        assert_eq!(range.len(), 100);
        assert_eq!(range.content_range(1234), "bytes 0-99/1234");
        assert_eq!(unsatisfied_content_range(1234), "bytes */1234");
        assert_eq!(unsatisfied_content_range(0), "bytes */0");
        let one = ByteRange { start: 7, end: 7 };
        assert_eq!(one.len(), 1);
    }

    // --- Overflow guards ------------------------------------------------------------------------

    #[test]
    fn huge_last_pos_is_clipped_not_overflowed() {
        assert_eq!(
            eval("bytes=0-99999999999999999999999999999", LEN),
            partial(0, 9999)
        );
        assert_eq!(eval("bytes=0-18446744073709551615", LEN), partial(0, 9999));
    }

    #[test]
    fn huge_first_pos_is_unsatisfiable_not_overflowed() {
        assert_eq!(
            eval("bytes=99999999999999999999999999999-", LEN),
            RangeOutcome::Unsatisfiable
        );
        assert_eq!(
            eval(
                "bytes=99999999999999999999999999999-99999999999999999999999999999",
                LEN
            ),
            RangeOutcome::Unsatisfiable
        );
    }

    #[test]
    fn huge_suffix_selects_whole_body() {
        assert_eq!(
            eval("bytes=-99999999999999999999999999999", LEN),
            partial(0, 9999)
        );
    }

    #[test]
    fn maximum_size_representation() {
        let max = u64::MAX;
        assert_eq!(eval("bytes=0-", max), partial(0, max - 1));
        assert_eq!(eval("bytes=-1", max), partial(max - 1, max - 1));
        let whole = ByteRange {
            start: 0,
            end: max - 1,
        };
        assert_eq!(whole.len(), max);
    }

    #[test]
    fn many_ranges_are_handled_linearly() {
        let header = format!("bytes={}", vec!["0-0"; 10_000].join(","));
        assert_eq!(eval(&header, LEN), RangeOutcome::Full);
        let header = format!("bytes={}", vec!["20000-"; 10_000].join(","));
        assert_eq!(eval(&header, LEN), RangeOutcome::Unsatisfiable);
    }
}
