//! CSV questionnaires: decoding (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252 as the fallback that
//! every byte sequence decodes under) and delimiter sniffing (`,`, `;` as European Excel writes, tab).
//!
//! In: the file's bytes. Out: one [`Grid`]. A CSV cell is always text: `=SUM(A1)` in a CSV is not a formula.

use std::borrow::Cow;

use anyhow::{Context, Result};

use super::grid::Grid;
use crate::cell::{CellRef, MAX_COLUMNS, MAX_ROWS};
use crate::ooxml::Limits;

/// Decodes the bytes of a text file into a string: borrowed when they are UTF-8 already (a large file is not
/// copied whole, see #29).
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom_length..]).0;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// The delimiter that splits the first lines most consistently.
fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let mut best = (b',', 0usize);
    for delimiter in [b',', b';', b'\t'] {
        // Count delimiters outside quotes, per line; the score is the number of lines with the modal count > 0.
        let counts: Vec<usize> = lines
            .iter()
            .map(|line| {
                let mut quoted = false;
                line.bytes()
                    .filter(|&b| {
                        if b == b'"' {
                            quoted = !quoted;
                        }
                        !quoted && b == delimiter
                    })
                    .count()
            })
            .collect();
        let score = counts.iter().filter(|&&c| c > 0).count() * 1000
            + counts.iter().sum::<usize>().min(999);
        if score > best.1 {
            best = (delimiter, score);
        }
    }
    best.0
}

/// Reads a CSV file into a grid.
pub fn read_csv(bytes: &[u8], limits: &Limits) -> Result<Grid> {
    // NUL bytes outside UTF-16 mean binary content, not text.
    if encoding_rs::Encoding::for_bom(bytes).is_none_or(|(e, _)| e == encoding_rs::UTF_8)
        && bytes.contains(&0)
    {
        anyhow::bail!(
            "it is not a text file (it holds binary data), so it cannot be a CSV questionnaire"
        );
    }
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut grid = Grid::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("it is not valid CSV at line {}", row + 1))?;
        if row as u32 >= MAX_ROWS {
            break;
        }
        for (col, field) in record.iter().enumerate().take(MAX_COLUMNS as usize) {
            grid.insert(CellRef::new(row as u32, col as u32), field, false);
        }
        if grid.len() > limits.max_cells {
            return Err(limits.too_many_cells().into());
        }
    }
    Ok(grid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_boms_and_legacy_encodings() {
        assert_eq!(decode(b"\xEF\xBB\xBFQuestion"), "Question");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Frage?".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16), "Frage?");
        assert_eq!(decode(b"caf\xE9 \x93quoted\x94"), "café “quoted”");
    }

    #[test]
    fn sniffs_the_delimiter() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("Frage;Antwort\n\"Ja, oder?\";Nein\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n"), b'\t');
    }

    #[test]
    fn reads_cells_as_text() {
        let grid = read_csv(
            b"ID,Question\n1,\"Do you, or don't you?\"\n2,=SUM(A1)\n",
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(grid.text(CellRef::new(1, 1)), "Do you, or don't you?");
        let cell = grid.cell(CellRef::new(2, 1)).unwrap();
        assert!(!cell.formula);
    }
}
