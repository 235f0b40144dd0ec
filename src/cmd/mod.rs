//! One file per subcommand: each turns its arguments into calls to the library crate and prints a summary.

mod approve;
mod check;
mod columns;
mod draft;
mod eval;
mod eval_documents;
mod finish;
mod import;
mod init;
mod model;
mod outputs;
mod search;

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command};

/// How a command ended: 0 success, 1 ran but found problems, 2 could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    Failure,
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

pub fn run(cli: Cli) -> Result<ExitStatus> {
    match cli.command {
        Command::Search(args) => search::run(args),
        Command::Check(args) => check::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Columns(args) => columns::run(args),
        Command::Draft(args) => draft::run(args),
        Command::Finish(args) => finish::run(args),
        Command::Import(args) => import::run(args),
        Command::Init(args) => init::run(args),
        Command::Approve(args) => approve::run(args),
        Command::Model(crate::cli::ModelCommand::Status(args)) => model::status(args),
        Command::Model(crate::cli::ModelCommand::Install(args)) => model::install(args),
        Command::ParseDocument { request } => {
            answerbank::documents::isolated::serve(&request).map(|()| ExitStatus::Success)
        }
    }
}

/// Opens a library's index, printing its warnings (files it had to skip) on stderr.
pub fn open_library(root: &std::path::Path) -> Result<answerbank::library::index::LibraryIndex> {
    let index = answerbank::library::index::LibraryIndex::open(root)?;
    say_library_warnings(&index);
    Ok(index)
}

/// Prints what opening a library's index found on stderr: a damaged cache it rebuilt, files it had to skip.
pub fn say_library_warnings(index: &answerbank::library::index::LibraryIndex) {
    if let Some(why) = &index.sync_report().damaged {
        say!(
            "answerbank: warning: the index cache in {} was damaged ({}); rebuilt it from the answer files",
            index.cache_dir().display(),
            answerbank::text::printable(why)
        );
    }
    for warning in index.warnings() {
        say!(
            "answerbank: warning: skipped {}",
            answerbank::text::printable(&warning.to_string())
        );
    }
}

/// [`open_library`] for matching: an empty library is an error, since there is nothing to match against.
pub fn open_index(root: &std::path::Path) -> Result<answerbank::library::index::LibraryIndex> {
    matchable(open_library(root)?, root)
}

/// An opened library index, or the error that it is empty, since there is nothing to match against.
pub fn matchable(
    index: answerbank::library::index::LibraryIndex,
    root: &std::path::Path,
) -> Result<answerbank::library::index::LibraryIndex> {
    if index.is_empty() {
        anyhow::bail!(
            "the library {} has no usable answer files (*.md); write some, or start from a past questionnaire with `answerbank import`",
            root.display()
        );
    }
    Ok(index)
}

/// The reader options for a command's `ReaderArgs`.
pub fn read_options(args: &crate::cli::ReaderArgs) -> answerbank::questionnaire::ReadOptions {
    answerbank::questionnaire::ReadOptions {
        sheets: args.sheets.clone(),
        include_hidden: args.include_hidden,
        overrides: answerbank::questionnaire::Overrides {
            header_row: args.header_row.map(|r| r - 1),
            question_col: args.question_col,
            id_col: args.id_col,
            answer_col: args.answer_col,
            comment_col: args.comment_col,
        },
        limits: answerbank::ooxml::Limits::default(),
    }
}

/// A progress bar on stderr drawn with `template` (indicatif's), for work of `total` steps long enough to be worth
/// one: hidden under 200 steps, and when stderr is not a terminal (a pipe, a log, the tests).
fn progress_bar(total: usize, template: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || total < 200 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// What an embedding shows while it runs: a progress bar per embedding ([`progress_bar`]), cleared when it ends.
/// The first embedding of a library of a few hundred entries takes seconds, of a few thousand minutes.
#[cfg(feature = "semantic")]
fn embedding_progress() -> answerbank::semantic::EmbedProgress {
    // The bar of the embedding under way, with how many texts it embeds.
    let current = std::sync::Mutex::new(None::<(usize, indicatif::ProgressBar)>);
    std::sync::Arc::new(move |done: usize, of: usize| {
        let mut current = current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Over, or the bar is that of an embedding that failed part way.
        let ended = done >= of || current.as_ref().is_some_and(|(total, _)| *total != of);
        if ended && let Some((_, bar)) = current.take() {
            bar.finish_and_clear();
        }
        if done >= of {
            return;
        }
        let (_, bar) = current.get_or_insert_with(|| {
            let template = "embedding {bar:40} {pos}/{len} texts";
            (of, progress_bar(of, template))
        });
        // Batches end on both cores, so their counts may arrive out of order.
        bar.set_position(bar.position().max(done as u64));
    })
}

/// The semantic index of a library, when a model is configured (`[semantic] model`) or given (`--model`).
#[cfg(feature = "semantic")]
pub fn open_semantic(
    index: &answerbank::library::index::LibraryIndex,
    args: &crate::cli::SemanticArgs,
) -> Result<Option<Box<dyn answerbank::matching::SemanticSearch>>> {
    if args.no_model {
        return Ok(None);
    }
    let started = std::time::Instant::now();
    let Some(semantic) = answerbank::matching::semantic::open_for(
        index,
        args.model.as_deref(),
        embedding_progress(),
    )?
    else {
        return Ok(None);
    };
    if let Some(warning) = &semantic.cache_warning {
        say!("answerbank: warning: {warning}");
    }
    if semantic.embedded_now > 0 {
        say!(
            "semantic matching: embedded {} wordings and answers in {:.1} s (cached for next time)",
            semantic.embedded_now,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(Some(Box::new(semantic)))
}

/// The company documents of a run: `--docs` paths when given, else the library's `[documents] paths`. Passages
/// are cached in the library's cache folder; a document that cannot be read is named with why, and the run goes
/// on without it.
pub fn read_documents(
    given: &[std::path::PathBuf],
    index: Option<&answerbank::library::index::LibraryIndex>,
) -> Result<answerbank::documents::Documents> {
    let paths = if given.is_empty() {
        index.map_or_else(Vec::new, |index| {
            index.settings().document_paths(index.root())
        })
    } else {
        given.to_vec()
    };
    if paths.is_empty() {
        return Ok(answerbank::documents::Documents::default());
    }
    let started = std::time::Instant::now();
    let cache = index.map(|index| index.cache_dir());
    let read =
        answerbank::documents::read_with(&paths, cache, &answerbank::documents::Limits::isolated());
    for problem in &read.problems {
        say!(
            "answerbank: warning: document {} skipped: {}",
            problem.file.display(),
            problem.reason
        );
    }
    if read.reread > 0 {
        // "The rest from the cache" only when there was a rest: a first run reads every file.
        let cached = if read.reread < read.files {
            "; the rest from the cache"
        } else {
            ""
        };
        say!(
            "documents: read {} of {} files in {:.1} s ({} passages{cached})",
            read.reread,
            read.files,
            started.elapsed().as_secs_f64(),
            read.passages.len()
        );
    }
    Ok(read)
}

/// Says on stderr what preparing the documents' passages for matching embedded, and why a cache was not saved.
pub fn say_embedded(passages: &answerbank::matching::passages::PassageIndex<'_>) {
    if let Some(warning) = &passages.cache_warning {
        say!("answerbank: warning: {warning}");
    }
    if passages.embedded_now > 0 {
        say!(
            "semantic matching: embedded {} document sentences and passages (cached for next time)",
            passages.embedded_now
        );
    }
}

/// Without the `semantic` feature a configured model cannot be used: say so, and match lexically.
#[cfg(not(feature = "semantic"))]
pub fn open_semantic(
    index: &answerbank::library::index::LibraryIndex,
    args: &crate::cli::SemanticArgs,
) -> Result<Option<Box<dyn answerbank::matching::SemanticSearch>>> {
    if args.no_model {
        return Ok(None);
    }
    if args.model.is_some() {
        anyhow::bail!(
            "this answerbank was built without semantic matching (cargo feature `semantic`); --model cannot be used"
        );
    }
    if index.settings().semantic.is_some() {
        say!(
            "answerbank: warning: library.toml names a model, but this build has no semantic matching; matching is lexical only"
        );
    }
    Ok(None)
}

/// Writes the answers into the customer's workbook (see [`answerbank::workbook::write_answers`]) and says on
/// stderr what the user should know: that a file which cannot be edited in place became an `.xlsx` copy, which
/// answers were cut to fit a cell, which cells held formulas and were left alone.
pub fn write_answers(
    source: answerbank::questionnaire::source::Workbook,
    edits: &std::collections::BTreeMap<String, Vec<answerbank::workbook::patch::CellEdit>>,
) -> Result<(Vec<u8>, answerbank::workbook::patch::PatchReport)> {
    if !source.format.is_ooxml() {
        say!(
            "answerbank: note: {} is a .{} file, which cannot be edited in place; the answers go into an .xlsx \
             with the same sheets, rows and columns (formatting is not carried over)",
            source.path.display(),
            source.format.extension()
        );
    }
    let name = source.path.clone();
    let (bytes, report) = answerbank::workbook::write_answers(source, edits)
        .with_context(|| format!("cannot write the answers into {}", name.display()))?;
    for (sheet, cell) in &report.truncated {
        say!(
            "answerbank: warning: sheet '{sheet}', cell {cell}: the answer was cut to Excel's 32,767-character limit"
        );
    }
    for (sheet, cell) in &report.formula_cells {
        say!(
            "answerbank: warning: sheet '{sheet}', cell {cell} holds a formula and was left alone"
        );
    }
    Ok((bytes, report))
}

/// Reads the questions of an opened questionnaire and prints what the reader had to change to read it (cells cut to
/// a cell's limit, see #29) as warnings naming the file.
pub fn read_questions(
    workbook: &mut answerbank::questionnaire::source::Workbook,
    options: &answerbank::questionnaire::ReadOptions,
) -> Result<answerbank::questionnaire::Questionnaire> {
    let questionnaire = answerbank::questionnaire::read_opened(workbook, options)?;
    print_reading_warnings(&questionnaire);
    Ok(questionnaire)
}

/// Prints a read questionnaire's warnings on stderr.
pub fn print_reading_warnings(questionnaire: &answerbank::questionnaire::Questionnaire) {
    for warning in &questionnaire.warnings {
        say!(
            "answerbank: warning: {}: {}",
            questionnaire.path.display(),
            answerbank::text::printable(warning)
        );
    }
}

/// Prints a value as pretty JSON on stdout (what `--json` gives). Made whole first, so that a reader who closes
/// the pipe early (`| head`) surfaces as the I/O error `main` treats as success (see #26).
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    use std::io::Write;
    let mut text = serde_json::to_vec_pretty(value)?;
    text.push(b'\n');
    std::io::stdout().lock().write_all(&text)?;
    Ok(())
}

/// The name of an output of the questionnaire `input`: its file name without `.xlsx`, then `.<suffix>`
/// (`vendor.xlsx` → `vendor.drafted.xlsx`). Any other extension stays in the name (`q.csv` →
/// `q.csv.drafted.xlsx`, `q.xlsm` → `q.xlsm.review.xlsx`), so the outputs of `q.csv` and `q.xlsx` in one folder
/// never share a name (see #16), and the name says which file they came from.
pub fn output_name(input: &std::path::Path, suffix: &str) -> std::ffi::OsString {
    let is_xlsx = input
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("xlsx"));
    let kept = if is_xlsx {
        input.file_stem()
    } else {
        input.file_name()
    };
    let mut name = kept
        .unwrap_or_else(|| std::ffi::OsStr::new("questionnaire"))
        .to_os_string();
    name.push(".");
    name.push(suffix);
    name
}

/// The SHA-256 of a file's bytes in hex: `draft` records the questionnaire's, `finish` checks it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    answerbank::text::hex(&sha2::Sha256::digest(bytes))
}

/// A word for a shell command line that answerbank prints for the user to run, quoted when it needs to be.
pub fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./,+@%:".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
