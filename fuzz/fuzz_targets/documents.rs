//! Every reader of company documents on arbitrary bytes, as each format: Markdown, plain text, HTML, `.docx` and
//! PDF, as `draft` reads one document (see `answerbank::fuzz_support`). They may refuse, a parser's panic caught
//! included; nothing may escape the catch, hang or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| answerbank::fuzz_support::read_untrusted_document(data));
