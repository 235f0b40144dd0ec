//! Integration tests: the real `answerbank` binary, run in a temp folder per test.

mod util;

mod answer_columns;
mod approve;
mod check;
mod columns;
mod draft;
mod draft_input;
mod eval;
mod example_library;
mod faults;
mod finish;
mod hostile;
mod hostile_formats;
mod hostile_sizes;
mod import;
mod init;
mod library_index;
mod permissions;
mod review;
mod search;
mod semantic;
mod starter;
#[cfg(all(feature = "download", unix))]
mod tiny_model;
