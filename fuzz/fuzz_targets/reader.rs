//! Every reader of untrusted workbooks on arbitrary bytes, as each format: the questionnaire reader, and for
//! `.xlsx` the package checks and the review reader of `finish` (see `answerbank::fuzz_support`). They may refuse;
//! they must not panic, hang or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| answerbank::fuzz_support::read_untrusted(data));
