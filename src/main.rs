//! The `answerbank` binary: parse the command line, run the command, report. Nothing else lives here.

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // SAFETY: the first thing the program does; no other thread exists yet.
    #[cfg(feature = "semantic")]
    unsafe {
        answerbank::semantic::configure_threads()
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
            eprintln!("answerbank: error: {err:#}");
            cmd::ExitStatus::Error.into()
        }
    }
}
