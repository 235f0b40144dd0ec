//! Integration tests: the real `answerbank` binary, run in a temp folder per test.

mod util;

mod check;
mod eval;
mod library_index;
mod search;
