//! The `answerbank` binary: parse the command line, run the command, report. Nothing else lives here.

/// Prints a line on stderr, where progress, warnings and summaries go. A closed or full stderr
/// (`answerbank finish r.xlsx 2>&1 | head -1`) is no reason to stop or to panic, as `eprintln!` would (see #26):
/// the command goes on, writes its outputs, and its exit code still tells the truth.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// Prints a line on stdout, the product (`search` hits, `model status`): an error here, a closed pipe included,
/// ends the command (`main` treats a closed pipe as success).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)
    }};
}

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator (#27): indexing and matching allocate and free millions of small strings
/// and lists, which glibc's malloc spent a fifth of the time on; and the encoder frees tensors of tens of megabytes
/// that glibc handed back to the kernel, so the next batch faulted them in again (2.8 of 23.5 CPU seconds of a first
/// embedding were the kernel's; 0.5 s with mimalloc).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // SAFETY: the first thing the program does; no other thread exists yet.
    #[cfg(feature = "semantic")]
    unsafe {
        answerbank::semantic::configure_threads();
    };
    let cli = cli::Cli::parse();
    match cmd::run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            // A closed pipe (`answerbank search ... | head`) is not an error.
            if err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            say!("answerbank: error: {err:#}");
            cmd::ExitStatus::Error.into()
        }
    }
}
