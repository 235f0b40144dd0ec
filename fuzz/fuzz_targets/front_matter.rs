//! The entry file parser on arbitrary text: errors with a line, never a panic; an entry that parses is written
//! back (as `finish` and `import` write entries) to a file that parses to the same entry.
#![no_main]

use answerbank::library::entry::parse_entry;
use answerbank::library::new_entry::entry_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match parse_entry("fuzz", "fuzz.md", text) {
        Ok(entry) => {
            let again = parse_entry("fuzz", "fuzz.md", &entry_text(&entry)).expect("a written entry parses");
            assert_eq!(again, entry);
        }
        Err(err) => assert!(err.line >= 1),
    }
});
