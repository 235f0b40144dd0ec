//! `answerbank init`: start a library folder (see [`answerbank::library::init`]) and say what to do next.

use anyhow::Result;

use super::ExitStatus;
use crate::cli::InitArgs;
use answerbank::library::init::init_library;

pub fn run(args: InitArgs) -> Result<ExitStatus> {
    let written = init_library(&args.dir, &[])?;
    let dir = args.dir.display();
    eprintln!("started the answer library {dir}:");
    for rel in &written {
        let what = match rel.as_str() {
            "library.toml" => "settings, every one explained and commented out at its default",
            ".gitignore" => "keeps answerbank's index cache (.answerbank/) out of git",
            _ => "an example entry showing every key: make it one of your answers, or delete it",
        };
        eprintln!("  {rel:<32} {what}");
    }
    let library = if args.dir.as_os_str() == "answer_library" {
        String::new()
    } else {
        format!(" --library {dir}")
    };
    eprintln!(
        "next: write an entry per answer (or start from questionnaires you answered before: answerbank import \
         FILE{library}), then answerbank check{library}"
    );
    Ok(ExitStatus::Success)
}
