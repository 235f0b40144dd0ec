//! `answerbank draft`: answer a questionnaire inside the customer's own workbook, plus a review workbook.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::json;

use super::{ExitStatus, outputs};
use crate::cli::DraftArgs;
use answerbank::date::Date;
use answerbank::drafting::{self, DraftOptions, Summary};
use answerbank::fsutil::WriteBlocked;
use answerbank::library::index::LibraryIndex;
use answerbank::matching::{Confidence, Matcher};
use answerbank::questionnaire::{self, Format};
use answerbank::workbook::review;

pub fn run(args: DraftArgs) -> Result<ExitStatus> {
    let options = super::read_options(&args.reader);
    // The input first (see #16): a missing file, a file that is no questionnaire, or a review workbook is
    // reported as what it is, before any word about the outputs, and before the library index is brought up to
    // date.
    let (format, source_bytes) = questionnaire::read_input(&args.file, &options.limits)?;
    let source_sha256 = super::sha256_hex(&source_bytes);
    let mut workbook =
        questionnaire::open_bytes(&args.file, format, source_bytes, &options.limits)?;
    if review::is_review_workbook(&mut workbook) {
        bail!(
            "{} is a review workbook written by `answerbank draft`, not a questionnaire: to write its reviewed \
             answers into the questionnaire, run `answerbank finish {}`",
            args.file.display(),
            args.file.display()
        );
    }
    let (drafted_path, review_path) = output_paths(&args.file, args.out_dir.as_deref(), format);
    let drafted_format = if format == Format::Xlsm {
        Format::Xlsm
    } else {
        Format::Xlsx
    };
    let policy = outputs::Policy {
        force: args.force,
        discard_review: args.discard_review,
    };
    let outputs = [
        outputs::Output {
            path: &drafted_path,
            kind: outputs::Kind::Workbook(drafted_format),
        },
        outputs::Output {
            path: &review_path,
            kind: outputs::Kind::Review,
        },
    ];
    let review_shown = review_path.display().to_string();
    let advice = format!(
        "to go on with its review, run `answerbank finish {}`; to keep it and draft again, write elsewhere with --out-dir DIR",
        super::shell_word(&review_shown)
    );
    // The outputs are checked before the questions are read, but a refusal waits for the questions' own warnings
    // and refusals, which come first as they always have.
    if let Err(refused) = check_outputs(&args, policy, &outputs, &advice) {
        questions_of(&mut workbook, &options)?;
        return Err(refused);
    }
    // The library index is opened on a core of its own while the questions are read (#27: each takes tens of
    // milliseconds, and one after the other they left a core idle). What the library has to say waits until the
    // questions are read, as before; a file without questions has then had the index brought up to date for
    // nothing, as the next draft would have.
    let (read, opened) = std::thread::scope(|scope| {
        let opening = scope.spawn(|| LibraryIndex::open(&args.library.library));
        (questions_of(&mut workbook, &options), opening.join())
    });
    let questionnaire = read?;
    let index = opened.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    super::say_library_warnings(&index);
    let index = super::matchable(index, &args.library.library)?;
    let semantic = super::open_semantic(&index, &args.semantic)?;
    let matcher = Matcher::new(&index).with_semantic(semantic.as_deref());
    let draft_options = DraftOptions {
        min_confidence: args.min_confidence,
        overwrite: args.overwrite,
    };
    let progress = super::progress_bar(
        questionnaire.questions().count(),
        "matching {bar:40} {pos}/{len} questions",
    );
    let (mut drafts, question_vectors) =
        drafting::draft_questionnaire_embedded(&matcher, &questionnaire, draft_options, &|| {
            progress.inc(1)
        })?;
    progress.finish_and_clear();
    // The company's documents offer excerpts where the library leaves a question open (see #24).
    let documents = if args.no_docs {
        answerbank::documents::Documents::default()
    } else {
        super::read_documents(&args.docs, Some(&index))?
    };
    let with_documents = if documents.passages.is_empty() {
        0
    } else {
        let passages = answerbank::matching::passages::PassageIndex::new(
            &documents.passages,
            index.analyzer(),
            semantic.as_deref(),
        )?;
        super::say_embedded(&passages);
        drafting::attach_documents(&mut drafts, &passages, question_vectors.as_deref())?
    };
    let summary = Summary::of(&drafts, &questionnaire);

    let edits = drafting::edits_of(&drafts);
    let meta = review::ReviewMeta {
        source: std::path::absolute(&args.file).unwrap_or_else(|_| args.file.clone()),
        source_sha256,
        library: std::path::absolute(index.root()).unwrap_or_else(|_| index.root().to_path_buf()),
        drafted_file: std::path::absolute(&drafted_path).unwrap_or_else(|_| drafted_path.clone()),
        created: Date::today(),
        min_confidence: args.min_confidence,
        overwrite: args.overwrite,
        semantic: matcher.is_semantic(),
        reading: review::Reading::of(&options),
    };
    // The customer's workbook and the review workbook are independent: made side by side on two cores.
    let (answered, review_bytes) = rayon::join(
        || super::write_answers(workbook, &edits),
        || review::review_workbook(&meta, &drafts, &summary),
    );
    let ((bytes, report), review_bytes) = (answered?, review_bytes?);
    // Both outputs are made before either is written, and the folder only now, so a draft that fails leaves
    // nothing behind.
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the --out-dir folder {}", dir.display()))?;
    }
    let mut kept = Vec::new();
    let mut created = Vec::new();
    for (output, bytes) in outputs.iter().zip([&bytes, &review_bytes]) {
        let is_new = !output.path.exists();
        let copy = outputs::write(policy, *output, bytes).map_err(|err| {
            // A drafted file without its review is half a draft (a full disk, see #26): take back what this run
            // created, so that a failed draft leaves nothing behind.
            for path in &created {
                let _ = std::fs::remove_file(path);
            }
            if err.downcast_ref::<WriteBlocked>().is_some() {
                anyhow!("{err:#}, or write the outputs elsewhere with --out-dir DIR")
            } else {
                err
            }
        })?;
        if is_new {
            created.push(output.path.to_path_buf());
        }
        kept.extend(copy.map(|copy| (output.path.to_path_buf(), copy)));
    }
    outputs::report_kept(&kept);

    if args.json {
        let value = json!({
            "questions": summary.questions,
            "bands": summary.bands,
            "written": report.written,
            "drafted": summary.drafted,
            "skipped": summary.skipped,
            "held_back": summary.held_back,
            "drafted_file": drafted_path.display().to_string(),
            "review_file": review_path.display().to_string(),
            "semantic": matcher.is_semantic(),
            "documents": {
                "files": documents.files,
                "passages": documents.passages.len(),
                "skipped": documents.problems.len(),
                "questions_with_suggestions": with_documents,
            },
        });
        super::print_json(&value)?;
    }
    print_summary(
        &summary,
        &drafted_path,
        &review_path,
        args.min_confidence,
        &matcher.semantic_status(),
    );
    if documents.files > 0 {
        say!(
            "documents: {with_documents} questions the library leaves open have excerpts of your documents in the \
             review (Doc #1 to #3, used only on \"Use doc #n\"; {} passages of {} documents)",
            documents.passages.len(),
            documents.files
        );
    }
    print_held_back(&summary.held_back, &args.library.library);
    print_next_steps(
        &review_path,
        &args,
        matcher.is_semantic(),
        with_documents > 0,
    );
    Ok(ExitStatus::Success)
}

/// The questions of the opened questionnaire (its reading warnings said), or why there are none to draft.
fn questions_of(
    workbook: &mut answerbank::questionnaire::source::Workbook,
    options: &questionnaire::ReadOptions,
) -> Result<questionnaire::Questionnaire> {
    let questionnaire = super::read_questions(workbook, options)?;
    if questionnaire.questions().next().is_none() {
        bail!(no_questions(&questionnaire));
    }
    Ok(questionnaire)
}

/// Refuses outputs that must not be replaced (`advice` says what to do instead) and an `--out-dir` that is no
/// folder.
fn check_outputs(
    args: &DraftArgs,
    policy: outputs::Policy,
    outputs: &[outputs::Output<'_>],
    advice: &str,
) -> Result<()> {
    outputs::check(policy, outputs, advice)?;
    if let Some(dir) = args
        .out_dir
        .as_deref()
        .filter(|d| d.exists() && !d.is_dir())
    {
        bail!("the --out-dir {} is not a folder", dir.display());
    }
    Ok(())
}

/// What to do next, as the last lines of a draft (see #25: the next step is always said): open the review, decide,
/// run `finish` with the review's path (and the library, where `finish` would not find it on its own); and how to
/// turn semantic matching on when it was off.
fn print_next_steps(review: &Path, args: &DraftArgs, semantic: bool, documents: bool) {
    // finish learns into --library, else ANSWERBANK_LIBRARY, else answer_library: name the library only when
    // that would not find the one drafted with.
    let default_library = std::env::var_os("ANSWERBANK_LIBRARY")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("answer_library"), PathBuf::from);
    let library = if args.library.library == default_library {
        String::new()
    } else {
        format!(
            " --library {}",
            super::shell_word(&args.library.library.display().to_string())
        )
    };
    let review = super::shell_word(&review.display().to_string());
    // The decisions the review offers: "Use doc #n" only where documents offered excerpts.
    let decisions = if documents {
        "Accept, Use #n, Use doc #n, Edit, Reject, Needs SME"
    } else {
        "Accept, Use #n, Edit, Reject, Needs SME"
    };
    say!(
        "next: open {review}, set a Decision on the rows you check ({decisions}) or write a Final answer, save it, \
         then run:\n  answerbank finish {review}{library}"
    );
    if semantic {
        return;
    }
    if args.semantic.no_model {
        say!(
            "semantic matching was off for this run (--no-model): draft again without it to match by meaning too"
        );
    } else if cfg!(feature = "download") {
        say!(
            "semantic matching is off (no model installed): `answerbank model install` fetches one (~90 MB, once), \
             then draft again to also match questions that share no words with an answer"
        );
    } else if cfg!(feature = "semantic") {
        say!(
            "semantic matching is off (no model installed): put sentence-transformers/all-MiniLM-L6-v2 in the \
             Hugging Face cache or pass --model DIR, then draft again"
        );
    }
}

/// Says how many matches wait for their entries' approval, and the command that approves them (see #17).
fn print_held_back(held: &drafting::HeldBack, library: &Path) {
    if held.questions == 0 {
        return;
    }
    let library = library.display().to_string();
    let command = match held.sources.as_slice() {
        [source] => format!(
            "answerbank approve --library {} --source {}",
            super::shell_word(&library),
            super::shell_word(source)
        ),
        _ if held.entries.len() <= 3 => format!(
            "answerbank approve --library {} {}",
            super::shell_word(&library),
            held.entries
                .iter()
                .map(|e| super::shell_word(&format!("{library}/{e}")))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        _ => format!(
            "answerbank approve --library {} --all --dry-run",
            super::shell_word(&library)
        ),
    };
    say!(
        "{} matches were held back at medium because their entries ({}) are proposed, not approved; after a look, \
         approve them with:\n  {command}",
        held.questions,
        held.entries.len()
    );
}

/// `<name>.drafted.<ext>` and `<name>.review.xlsx`, next to the input or in `out_dir`; `<name>` is the input's
/// file name without `.xlsx` (see [`super::output_name`]).
fn output_paths(file: &Path, out_dir: Option<&Path>, format: Format) -> (PathBuf, PathBuf) {
    let dir = out_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| file.parent().map(Path::to_path_buf).unwrap_or_default());
    let drafted_ext = if format == Format::Xlsm {
        "xlsm"
    } else {
        "xlsx"
    };
    (
        dir.join(super::output_name(file, &format!("drafted.{drafted_ext}"))),
        dir.join(super::output_name(file, "review.xlsx")),
    )
}

/// The error for a file in which no sheet holds questions: each sheet's reason, as `columns` gives it, and how
/// to tell answerbank where the questions are (see #16: never "found 0 questions" and empty outputs).
fn no_questions(questionnaire: &questionnaire::Questionnaire) -> String {
    let name = questionnaire.path.display();
    let mut message = format!("no questions found in {name}, so there is nothing to draft:");
    for sheet in &questionnaire.sheets {
        let reason = match &sheet.outcome {
            Err(reason) => reason.clone(),
            Ok(layout) => format!(
                "header row {}, questions in column {}, but no question rows under it",
                layout.header_rows.first().map_or(1, |r| r + 1),
                answerbank::cell::column_name(layout.question_col)
            ),
        };
        message.push_str(&format!(
            "\n  sheet '{}': {}",
            answerbank::text::printable(&sheet.name),
            reason
        ));
    }
    if questionnaire.sheets.is_empty() {
        message.push_str("\n  it has no sheets");
    }
    message.push_str(&format!(
        "\n`answerbank columns {name}` shows what is read; --sheet, --header-row, --question-col and --answer-col \
         say where the questions and answers are"
    ));
    message
}

fn print_summary(
    summary: &Summary,
    drafted: &Path,
    review: &Path,
    min: Confidence,
    semantic: &str,
) {
    let b = &summary.bands;
    say!(
        "found {} questions: {} high, {} medium, {} low, {} no match",
        summary.questions,
        b.high,
        b.medium,
        b.low,
        b.none
    );
    let s = &summary.skipped;
    say!(
        "drafted {} of them into the file ({} cells, {min} confidence and up); left alone: {} already answered, {} \
         formula rows, {} not allowed by the cell's dropdown; {} below the threshold and {} without a match are for review",
        summary.drafted,
        summary.written,
        s.answered,
        s.formula,
        s.not_allowed,
        s.below_threshold,
        s.no_match
    );
    if s.opposite > 0 {
        let (questions, ask) = if s.opposite == 1 {
            ("question", "asks")
        } else {
            ("questions", "ask")
        };
        say!(
            "{} {questions} {ask} the opposite of their match's wording: for review only, never written (see the notes)",
            s.opposite
        );
    }
    if s.template > 0 {
        let (questions, are) = if s.template == 1 {
            ("question", "is")
        } else {
            ("questions", "are")
        };
        say!(
            "{} {questions} no real answer matches {are} covered by a starter template: the review's notes name it; \
             fill it in and approve it (answerbank approve FILE)",
            s.template
        );
    }
    say!("semantic matching: {semantic}");
    say!("drafted questionnaire → {}", drafted.display());
    say!("review workbook       → {}", review.display());
}
