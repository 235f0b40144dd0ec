//! Integration tests: the real `answerbank` binary, run in a temp folder per test.

mod util;

mod answer_columns;
mod approve;
mod approve_review;
mod check;
mod columns;
mod documents;
mod draft;
mod draft_input;
mod eval;
mod example_library;
mod faults;
mod finish;
mod hostile;
mod hostile_documents;
mod hostile_formats;
#[cfg(unix)]
mod hostile_library;
#[cfg(all(feature = "download", unix))]
mod hostile_mirror;
mod hostile_sizes;
mod import;
mod init;
mod input_messages;
mod library_index;
mod nothing_lost;
mod permissions;
mod review;
mod search;
mod semantic;
mod starter;
#[cfg(all(feature = "download", unix))]
mod test_hub;
#[cfg(all(feature = "download", unix))]
mod tiny_model;
