//! `answerbank init`: start a library folder (see [`answerbank::library::init`]) and say what to do next.

use anyhow::Result;

use super::ExitStatus;
use crate::cli::InitArgs;
use answerbank::library::init::{STARTER, init_library};

pub fn run(args: InitArgs) -> Result<ExitStatus> {
    let starter: &[(&str, &str)] = if args.starter { STARTER } else { &[] };
    let written = init_library(&args.dir, starter)?;
    let dir = args.dir.display();
    say!("started the answer library {dir}:");
    if args.starter {
        let templates = written
            .iter()
            .filter(|r| r.ends_with(".md") && !r.ends_with("README.md"))
            .count();
        say!(
            "  library.toml                     settings, every one explained and commented out at its default"
        );
        say!(
            "  .gitignore                       keeps answerbank's index cache (.answerbank/) out of git"
        );
        say!("  README.md                        how to fill in a template, and the topics");
        say!(
            "  {templates} templates in topic folders: proposed, with guidance and {{{{ ... }}}} placeholders"
        );
        let library = if args.dir.as_os_str() == "answer_library" {
            String::new()
        } else {
            format!(" --library {dir}")
        };
        say!(
            "next: fill in the templates you can answer (replace every {{{{ ... }}}}, set short_answer), then \
             answerbank approve FILE{library}; answerbank import FILE{library} fills the templates a questionnaire \
             you answered before answers; answerbank check{library} lists what is left"
        );
        return Ok(ExitStatus::Success);
    }
    for rel in &written {
        let what = match rel.as_str() {
            "library.toml" => "settings, every one explained and commented out at its default",
            ".gitignore" => "keeps answerbank's index cache (.answerbank/) out of git",
            _ => "an example entry showing every key: make it one of your answers, or delete it",
        };
        say!("  {rel:<32} {what}");
    }
    let library = if args.dir.as_os_str() == "answer_library" {
        String::new()
    } else {
        format!(" --library {dir}")
    };
    say!(
        "next: write an entry per answer (or start from questionnaires you answered before: answerbank import \
         FILE{library}), then answerbank check{library}"
    );
    Ok(ExitStatus::Success)
}
