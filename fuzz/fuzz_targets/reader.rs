//! The questionnaire reader on arbitrary bytes, as each format. It may refuse; it must not panic, hang or
//! allocate without bound.
#![no_main]

use std::path::Path;

use answerbank::questionnaire::{Format, ReadOptions, read_questionnaire_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let name = match selector % 5 {
        0 => "fuzz.xlsx",
        1 => "fuzz.csv",
        2 => "fuzz.ods",
        3 => "fuzz.xls",
        _ => "fuzz.xlsb",
    };
    let options = ReadOptions { include_hidden: selector & 0x80 != 0, ..ReadOptions::default() };
    let Some(format) = Format::from_path(Path::new(name)) else { return };
    if let Ok(questionnaire) =
        read_questionnaire_bytes(Path::new(name), format, bytes.to_vec(), &options)
    {
        for row in questionnaire.questions() {
            assert!(!row.question.is_empty());
        }
    }
});
