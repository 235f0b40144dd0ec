//! Cell coordinates: the one place where `B12` and (row, column) convert.
//!
//! Rows and columns are 0-based inside the program (as calamine and the sheet XML's arithmetic want them) and
//! shown 1-based / as letters (as Excel shows them) to users.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Excel's limits: 1,048,576 rows and 16,384 columns (`XFD`).
pub const MAX_ROWS: u32 = 1_048_576;
pub const MAX_COLUMNS: u32 = 16_384;

/// Excel's limit on the text of one cell, in UTF-16 units as Excel counts them.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Where a text must be cut to fit in a cell (a byte index on a character boundary), or `None` when it fits.
/// Looks at no more of the text than the limit, however long it is.
pub fn cell_limit_cut(text: &str) -> Option<usize> {
    // UTF-8 takes at least as many bytes as UTF-16 takes units.
    if text.len() <= MAX_CELL_CHARS {
        return None;
    }
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > MAX_CELL_CHARS {
            return Some(at);
        }
    }
    None
}

/// A cell position, 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellRef {
    pub row: u32,
    pub col: u32,
}

impl CellRef {
    pub fn new(row: u32, col: u32) -> CellRef {
        CellRef { row, col }
    }
}

/// Column letters for a 0-based column index: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_name(col: u32) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// 0-based column index of column letters (`A` → 0, `aa` → 26); `None` if not letters or past `XFD`.
pub fn parse_column(letters: &str) -> Option<u32> {
    let letters = letters.trim();
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    let mut n: u32 = 0;
    for b in letters.bytes() {
        n = n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    (1..=MAX_COLUMNS).contains(&n).then(|| n - 1)
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", column_name(self.col), self.row + 1)
    }
}

impl FromStr for CellRef {
    type Err = String;
    fn from_str(s: &str) -> Result<CellRef, String> {
        let s = s.trim().replace('$', "");
        let split = s
            .find(|c: char| c.is_ascii_digit())
            .ok_or_else(|| format!("`{s}` is not a cell reference like B12"))?;
        let col = parse_column(&s[..split])
            .ok_or_else(|| format!("`{s}` is not a cell reference like B12"))?;
        let row: u32 = s[split..]
            .parse()
            .map_err(|_| format!("`{s}` is not a cell reference like B12"))?;
        if row == 0 || row > MAX_ROWS {
            return Err(format!("`{s}`: rows go from 1 to {MAX_ROWS}"));
        }
        Ok(CellRef { row: row - 1, col })
    }
}

impl Serialize for CellRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CellRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<CellRef, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_round_trip() {
        for (col, name) in [
            (0, "A"),
            (25, "Z"),
            (26, "AA"),
            (701, "ZZ"),
            (702, "AAA"),
            (16_383, "XFD"),
        ] {
            assert_eq!(column_name(col), name);
            assert_eq!(parse_column(name), Some(col));
        }
        assert_eq!(parse_column("XFE"), None);
        assert_eq!(parse_column("A1"), None);
    }

    #[test]
    fn texts_are_cut_to_a_cells_limit_on_a_character_boundary() {
        assert_eq!(cell_limit_cut("short"), None);
        assert_eq!(cell_limit_cut(&"a".repeat(MAX_CELL_CHARS)), None);
        assert_eq!(
            cell_limit_cut(&"a".repeat(MAX_CELL_CHARS + 1)),
            Some(MAX_CELL_CHARS)
        );
        // é is one unit and two bytes; 𝄞 two units and four bytes.
        assert_eq!(cell_limit_cut(&"é".repeat(MAX_CELL_CHARS)), None);
        assert_eq!(
            cell_limit_cut(&"é".repeat(MAX_CELL_CHARS + 1)),
            Some(2 * MAX_CELL_CHARS)
        );
        let clefs = "𝄞".repeat(MAX_CELL_CHARS);
        let cut = cell_limit_cut(&clefs).unwrap();
        assert_eq!(clefs[..cut].encode_utf16().count(), MAX_CELL_CHARS - 1);
    }

    #[test]
    fn cell_refs() {
        let cell: CellRef = "B12".parse().unwrap();
        assert_eq!(cell, CellRef::new(11, 1));
        assert_eq!(cell.to_string(), "B12");
        assert_eq!("$C$3".parse::<CellRef>().unwrap(), CellRef::new(2, 2));
        assert!("B0".parse::<CellRef>().is_err());
        assert!("12".parse::<CellRef>().is_err());
        assert!("B1048577".parse::<CellRef>().is_err());
    }
}
