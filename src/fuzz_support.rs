//! What the reader fuzz target (`fuzz/fuzz_targets/reader.rs`) does with one input, shared with the test that
//! replays the inputs kept in `tests/fuzz_regressions/` (`reader-*`), so that the two never drift apart.
//!
//! In: the fuzzer's bytes: the first picks the format (its low bits) and whether hidden sheets are read (its top
//! bit), the rest is the file. The file goes through every reader of untrusted workbooks: the questionnaire reader,
//! and for `.xlsx` the package checks on their own and the review reader of `finish` (#29). Each may refuse; a
//! broken promise (an empty question, or one longer than a cell) panics, as the fuzzer needs.

use std::path::Path;

use crate::cell::MAX_CELL_CHARS;
use crate::ooxml::Limits;
use crate::ooxml::package::Package;
use crate::questionnaire::{Format, ReadOptions, read_questionnaire_bytes};
use crate::workbook::review::read_review_bytes;

/// Reads one fuzz input with every reader of untrusted workbooks.
pub fn read_untrusted(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let name = match selector % 5 {
        0 => "fuzz.xlsx",
        1 => "fuzz.csv",
        2 => "fuzz.ods",
        3 => "fuzz.xls",
        _ => "fuzz.xlsb",
    };
    let options = ReadOptions {
        include_hidden: selector & 0x80 != 0,
        ..ReadOptions::default()
    };
    let Some(format) = Format::from_path(Path::new(name)) else {
        return;
    };
    if let Ok(questionnaire) =
        read_questionnaire_bytes(Path::new(name), format, bytes.to_vec(), &options)
    {
        for row in questionnaire.questions() {
            assert!(!row.question.is_empty());
            assert!(row.question.encode_utf16().count() <= MAX_CELL_CHARS);
        }
    }
    if format == Format::Xlsx {
        let _ = Package::open(bytes.to_vec(), Limits::default());
        let _ = read_review_bytes(Path::new("fuzz.review.xlsx"), bytes.to_vec());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fuzz_regressions_stay_fixed() {
        // Inputs the reader fuzzer found or that were crafted against the readers (tests/fuzz_regressions/reader-*),
        // replayed as the fuzz target runs them: each must be refused or read, in bounded time, without a panic.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz_regressions");
        let mut replayed = 0;
        for item in std::fs::read_dir(dir).unwrap() {
            let path = item.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("reader-") {
                continue;
            }
            let started = std::time::Instant::now();
            super::read_untrusted(&std::fs::read(&path).unwrap());
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "{name} took {:?}",
                started.elapsed()
            );
            replayed += 1;
        }
        assert!(replayed > 0, "no reader-* inputs in {dir}");
    }
}
