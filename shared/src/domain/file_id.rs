//! File ids are UUID v7, so they sort by creation time (list order needs no extra index).

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(Uuid);

impl FileId {
    pub fn new() -> Self {
        FileId(Uuid::now_v7())
    }

    /// Accepts only the canonical hyphenated form, so every id has exactly one spelling
    /// (the storage key and the sort order depend on it).
    pub fn parse(s: &str) -> Option<Self> {
        if s.len() != 36 {
            return None;
        }
        let u = Uuid::try_parse(s).ok()?;
        (u.hyphenated().to_string() == s.to_ascii_lowercase()).then_some(FileId(u))
    }
}

impl Default for FileId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.hyphenated())
    }
}

impl serde::Serialize for FileId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for FileId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        FileId::parse(&s).ok_or_else(|| serde::de::Error::custom("invalid file id"))
    }
}

impl FromStr for FileId {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        FileId::parse(s).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_sort_by_creation() {
        let a = FileId::new();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = FileId::new();
        assert!(a.to_string() < b.to_string());
        assert_eq!(a.0.get_version_num(), 7);
    }

    #[test]
    fn parse_round_trips_and_rejects_junk() {
        let a = FileId::new();
        assert_eq!(FileId::parse(&a.to_string()), Some(a));
        assert_eq!(FileId::parse(&a.to_string().to_uppercase()), Some(a));
        for bad in [
            "",
            "x",
            "../etc/passwd",
            "0193a6f27c1e7b3a9c2d5e8f1a2b3c4d",
            "{0193a6f2-7c1e-7b3a-9c2d-5e8f1a2b3c4d}",
        ] {
            assert_eq!(FileId::parse(bad), None, "{bad}");
        }
    }
}
