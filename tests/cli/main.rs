//! Integration tests: the real `answerbank` binary, run in a temp folder per test.

mod util;

mod answer_columns;
mod approve;
mod check;
mod columns;
mod draft;
mod eval;
mod faults;
mod finish;
mod hostile;
mod hostile_formats;
mod import;
mod library_index;
mod search;
mod semantic;
