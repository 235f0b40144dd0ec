//! Speed at scale: index builds, edits, and `draft` of generated questionnaires against generated libraries,
//! split into read, match and write time, with peak memory.
//!
//! Run: `cargo bench --bench scale` (the full table, a few minutes), or
//! `cargo bench --bench scale -- --quick` (1,000 questions against 5,000 entries only).
//! Each draft case runs in a child process of its own so its peak memory (VmHWM) is its own.
//!
//! With a model (`--model DIR`, or `ANSWERBANK_TEST_MODEL`) and the real HECVAT 4.1.4 in
//! `../shared/questionnaires/`, it also drafts that questionnaire against the example library with semantic
//! matching (embeddings already cached, as on every run after the first) and measures the encoder alone on its
//! questions. The questions are written to `target/bench-data/hecvat-questions.txt` for
//! `tools/encoder_reference.py`, the numpy reference the encoder's speed is compared with.

mod common;

use common::{model_arg, peak_rss_mb, run_child};

use std::path::{Path, PathBuf};
use std::time::Instant;

use answerbank::drafting::{self, DraftOptions, Summary};
use answerbank::library::index::LibraryIndex;
use answerbank::matching::{Confidence, Matcher};
use answerbank::questionnaire::{self, ReadOptions};
use answerbank::workbook::review;

/// Words to build entries from: topics, objects and qualifiers of security questionnaires.
const TOPICS: &[&str] = &[
    "encryption",
    "backups",
    "access reviews",
    "logging",
    "incident response",
    "penetration testing",
    "vulnerability scanning",
    "key management",
    "single sign-on",
    "multi-factor authentication",
    "data retention",
    "data deletion",
    "subprocessors",
    "vendor management",
    "security training",
    "background checks",
    "change management",
    "disaster recovery",
    "business continuity",
    "network segmentation",
    "endpoint protection",
    "secure development",
    "code review",
    "AI impact assessments",
    "AI inventory",
    "human oversight",
    "model monitoring",
    "privacy notices",
    "DPA terms",
    "physical security",
    "cyber insurance",
    "asset inventory",
    "patch management",
    "firewall rules",
    "password policy",
];
const OBJECTS: &[&str] = &[
    "customer data",
    "production systems",
    "laptops",
    "cloud accounts",
    "source code",
    "admin consoles",
    "databases",
    "log files",
    "API keys",
    "support tools",
    "analytics pipelines",
    "mobile apps",
    "email",
    "file storage",
    "CI runners",
    "model training data",
    "third-party integrations",
    "office network",
    "HR records",
    "billing systems",
];
const QUALIFIERS: &[&str] = &[
    "at least annually",
    "every quarter",
    "before go-live",
    "for all staff",
    "within 24 hours",
    "with documented evidence",
    "by an independent party",
    "using automated tools",
    "with management approval",
    "in every region",
    "monthly",
    "after every major change",
    "for contractors too",
    "with a written policy",
    "under a named owner",
];
const VERBS: &[&str] = &[
    "review", "test", "monitor", "document", "encrypt", "audit", "restrict", "approve", "log",
    "rotate",
];

fn pick<'a>(list: &'a [&'a str], n: usize) -> &'a str {
    list[n % list.len()]
}

/// A deterministic, distinct question for number `n`.
fn question(n: usize) -> String {
    let (a, b, c, d) = (n % 35, (n / 35) % 20, (n / 700) % 15, (n / 10_500) % 10);
    format!(
        "Do you {} {} for {} {} (control {n})?",
        pick(VERBS, d),
        pick(TOPICS, a),
        pick(OBJECTS, b),
        pick(QUALIFIERS, c)
    )
}

fn body(n: usize) -> String {
    format!(
        "Yes. We {} {} for {} {}, as set out in our security policy. The owner is the security team, evidence is kept \
         for audit, and exceptions are approved by management and reviewed at the next cycle. Reference {n}.",
        pick(VERBS, n / 7),
        pick(TOPICS, n),
        pick(OBJECTS, n / 3),
        pick(QUALIFIERS, n / 5)
    )
}

fn make_library(dir: &Path, entries: usize) {
    if dir.join(".complete").exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    for n in 0..entries {
        let sub = dir.join(format!("topic-{}", n % 50));
        if n < 50 {
            std::fs::create_dir_all(&sub).unwrap();
        }
        let text = format!(
            "+++\nquestion = {:?}\nalternates = [{:?}]\nshort_answer = \"Yes\"\ntags = [{:?}]\nowner = \"Security team\"\nreviewed = 2026-10-01\n+++\n{}\n",
            question(n),
            format!(
                "Is {} in place for {}? ({n})",
                pick(TOPICS, n),
                pick(OBJECTS, n / 35)
            ),
            pick(TOPICS, n).replace(' ', "-").to_lowercase(),
            body(n)
        );
        std::fs::write(sub.join(format!("entry-{n}.md")), text).unwrap();
    }
    std::fs::write(dir.join(".complete"), "").unwrap();
}

/// A questionnaire: a title, a header with a Yes/No dropdown, sections, questions reworded from library entries
/// (every third one is asked in the library's exact words) and some the library cannot answer.
fn make_questionnaire(path: &Path, questions: usize, library_entries: usize) {
    if path.exists() {
        return;
    }
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Questionnaire").unwrap();
    sheet
        .write_string(0, 0, "Vendor security questionnaire")
        .unwrap();
    for (col, h) in ["ID", "Question", "Answer", "Comments"].iter().enumerate() {
        sheet.write_string(2, col as u16, *h).unwrap();
    }
    let mut row = 3u32;
    for q in 0..questions {
        if q % 50 == 0 {
            sheet
                .write_string(row, 0, format!("Section {}", q / 50 + 1))
                .unwrap();
            row += 1;
        }
        let n = (q * 7919) % library_entries;
        let text = match q % 3 {
            0 => question(n),
            1 => question(n)
                .replace("Do you", "Does your organization")
                .replace('?', ", and how?"),
            _ if q % 10 == 2 => format!("Is your {} certified under scheme {q}?", pick(OBJECTS, q)),
            _ => format!(
                "Please describe how you {} {}.",
                pick(VERBS, n / 10_500),
                pick(TOPICS, n)
            ),
        };
        sheet.write_string(row, 0, format!("Q-{}", q + 1)).unwrap();
        sheet.write_string(row, 1, text).unwrap();
        row += 1;
    }
    let list = rust_xlsxwriter::DataValidation::new()
        .allow_list_strings(&["Yes", "No", "N/A"])
        .unwrap();
    sheet.add_data_validation(3, 2, row, 2, &list).unwrap();
    workbook.save(path).unwrap();
}

/// Reads every answer file of a library once (the files the index reads), so that the timings measure indexing,
/// not a disk's first read of 100,000 files after other cases pushed them out of the page cache (that alone took
/// about 2 s here).
fn read_every_file(library: &Path) {
    for file in answerbank::library::scan_files(library).unwrap() {
        let _ = std::fs::read(&file.abs);
    }
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data")
}

/// Reads a questionnaire as `draft` does: the file is read and checked once, and the same opened workbook is
/// what the answers are written into. Returns the workbook, its questions and the time it took.
fn read_questionnaire(
    file: &Path,
) -> (
    questionnaire::source::Workbook,
    questionnaire::Questionnaire,
    std::time::Duration,
) {
    let started = Instant::now();
    let options = ReadOptions::default();
    let (format, bytes) = questionnaire::read_input(file, &options.limits).unwrap();
    let mut workbook = questionnaire::open_bytes(file, format, bytes, &options.limits).unwrap();
    let questionnaire = questionnaire::read_opened(&mut workbook, &options).unwrap();
    (workbook, questionnaire, started.elapsed())
}

/// One draft case, in this process: prints a JSON line.
fn run_case(questions: usize, entries: usize) {
    let base = data_dir();
    let library = base.join(format!("library-{entries}"));
    let file = base.join(format!("questionnaire-{questions}-{entries}.xlsx"));
    let index = LibraryIndex::open(&library).unwrap();
    let (workbook, questionnaire, read) = read_questionnaire(&file);
    let options = ReadOptions::default();
    let started = Instant::now();
    let matcher = Matcher::new(&index);
    let drafts =
        drafting::draft_questionnaire(&matcher, &questionnaire, DraftOptions::default()).unwrap();
    let matched = started.elapsed();
    let started = Instant::now();
    let summary = Summary::of(&drafts, &questionnaire);
    let edits = drafting::edits_of(&drafts);
    let meta = review::ReviewMeta {
        source: file.clone(),
        source_sha256: String::new(),
        library: library.clone(),
        drafted_file: PathBuf::from("drafted.xlsx"),
        created: answerbank::date::Date::today(),
        min_confidence: Confidence::High,
        overwrite: false,
        semantic: false,
        reading: review::Reading::of(&options),
    };
    // As `draft` does: the two workbooks side by side.
    let (answered, review_bytes) = rayon::join(
        || answerbank::workbook::write_answers(workbook, &edits).unwrap(),
        || review::review_workbook(&meta, &drafts, &summary).unwrap(),
    );
    let (bytes, _) = answered;
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("drafted.xlsx"), &bytes).unwrap();
    std::fs::write(out.path().join("review.xlsx"), &review_bytes).unwrap();
    let write = started.elapsed();
    println!(
        "{{\"questions\":{},\"entries\":{entries},\"read_ms\":{:.0},\"match_ms\":{:.0},\"write_ms\":{:.0},\"peak_mb\":{:.0},\"high\":{}}}",
        summary.questions,
        read.as_secs_f64() * 1000.0,
        matched.as_secs_f64() * 1000.0,
        write.as_secs_f64() * 1000.0,
        peak_rss_mb(),
        summary.bands.high
    );
}

/// The real HECVAT 4.1.4, when `../shared` has it (third-party: never in this repository).
fn hecvat() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/questionnaires/EDUCAUSE_HECVAT_4.1.4_blank.xlsx");
    path.exists().then_some(path)
}

/// The model case, in this process: the HECVAT drafted against the example library with semantic matching,
/// and the encoder alone on its questions. Prints a JSON line.
fn run_model_case(model: &Path) {
    let file = hecvat().expect("the HECVAT 4.1.4 in ../shared/questionnaires");
    let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("answer_library");
    let index = LibraryIndex::open(&library).unwrap();
    // Embeds whatever the cache lacks: only the first run ever does work here.
    drop(answerbank::matching::semantic::SemanticIndex::open(&index, model).unwrap());

    let started = Instant::now();
    let semantic = answerbank::matching::semantic::SemanticIndex::open(&index, model).unwrap();
    let load = started.elapsed();
    let (workbook, questionnaire, read) = read_questionnaire(&file);
    let started = Instant::now();
    let matcher = Matcher::new(&index).with_semantic(Some(&semantic));
    let drafts =
        drafting::draft_questionnaire(&matcher, &questionnaire, DraftOptions::default()).unwrap();
    let matched = started.elapsed();
    let started = Instant::now();
    let edits = drafting::edits_of(&drafts);
    let (bytes, _) = answerbank::workbook::write_answers(workbook, &edits).unwrap();
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("drafted.xlsx"), &bytes).unwrap();
    let write = started.elapsed();

    // The encoder alone, on the same questions: the best of three runs.
    let texts: Vec<String> = questionnaire
        .questions()
        .map(|q| q.question.clone())
        .collect();
    std::fs::write(data_dir().join("hecvat-questions.txt"), texts.join("\n")).unwrap();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let encoder = answerbank::semantic::Encoder::load(model).unwrap();
    let encode = (0..3)
        .map(|_| {
            let started = Instant::now();
            encoder.embed(&texts).unwrap();
            started.elapsed()
        })
        .min()
        .unwrap();
    println!(
        "{{\"questions\":{},\"load_ms\":{:.0},\"read_ms\":{:.0},\"match_ms\":{:.0},\"write_ms\":{:.0},\"encode_ms\":{:.0},\"peak_mb\":{:.0}}}",
        texts.len(),
        load.as_secs_f64() * 1000.0,
        read.as_secs_f64() * 1000.0,
        matched.as_secs_f64() * 1000.0,
        write.as_secs_f64() * 1000.0,
        encode.as_secs_f64() * 1000.0,
        peak_rss_mb(),
    );
}

fn main() {
    // SAFETY: the first thing the program does; no other thread exists yet. As the answerbank binary does.
    unsafe { answerbank::semantic::configure_threads() };
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--case") {
        run_case(args[i + 1].parse().unwrap(), args[i + 2].parse().unwrap());
        return;
    }
    if args.iter().any(|a| a == "--model-case") {
        run_model_case(&model_arg(&args).expect("--model DIR"));
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let base = data_dir();
    std::fs::create_dir_all(&base).unwrap();
    let libraries: Vec<usize> = if quick {
        vec![5_000]
    } else {
        vec![1_000, 5_000, 10_000, 100_000]
    };
    let mut cases: Vec<(usize, usize)> = if quick {
        vec![(1_000, 5_000)]
    } else {
        let mut cases = vec![(1_000, 5_000)];
        for &entries in &[1_000, 10_000, 100_000] {
            for &questions in &[100, 1_000, 10_000] {
                cases.push((questions, entries));
            }
        }
        cases
    };
    cases.dedup();

    println!("## Index build (cold) and edit-to-search\n");
    println!(
        "| entries | cold build (files in the page cache) | reopen, nothing changed | one file edited, until searchable |"
    );
    println!("|---:|---:|---:|---:|");
    for &entries in &libraries {
        let library = base.join(format!("library-{entries}"));
        make_library(&library, entries);
        let _ = std::fs::remove_dir_all(library.join(".answerbank"));
        read_every_file(&library);
        let started = Instant::now();
        drop(LibraryIndex::open(&library).unwrap());
        let cold = started.elapsed();
        let started = Instant::now();
        drop(LibraryIndex::open(&library).unwrap());
        let warm = started.elapsed();
        // Edit one entry, then open and search for the new wording.
        let edited = library.join("topic-0/entry-0.md");
        let original = std::fs::read_to_string(&edited).unwrap();
        std::fs::write(&edited, original.replace("Do you", "Do you really")).unwrap();
        let started = Instant::now();
        let index = LibraryIndex::open(&library).unwrap();
        let result = Matcher::new(&index)
            .match_question(
                &question(0).replace("Do you", "Do you really"),
                &Default::default(),
                1,
            )
            .unwrap();
        let edit = started.elapsed();
        assert_eq!(
            result.best().map(|c| c.id().to_string()).as_deref(),
            Some("entry-0")
        );
        std::fs::write(&edited, original).unwrap();
        drop(index);
        drop(LibraryIndex::open(&library).unwrap());
        println!(
            "| {entries} | {:.2} s | {:.0} ms | {:.0} ms |",
            cold.as_secs_f64(),
            warm.as_secs_f64() * 1000.0,
            edit.as_secs_f64() * 1000.0
        );
    }

    println!("\n## draft (release build, index already built)\n");
    println!("| questions | entries | read | match | write | total | peak memory | high |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    let exe = std::env::current_exe().unwrap();
    for (questions, entries) in cases {
        make_questionnaire(
            &base.join(format!("questionnaire-{questions}-{entries}.xlsx")),
            questions,
            entries,
        );
        let v = run_child(
            &exe,
            &["--case", &questions.to_string(), &entries.to_string()],
        );
        let total = v["read_ms"] + v["match_ms"] + v["write_ms"];
        println!(
            "| {} | {} | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {:.0} MB | {} |",
            v["questions"],
            entries,
            v["read_ms"] / 1000.0,
            v["match_ms"] / 1000.0,
            v["write_ms"] / 1000.0,
            total / 1000.0,
            v["peak_mb"],
            v["high"]
        );
    }

    let (Some(model), Some(_)) = (model_arg(&args), hecvat()) else {
        println!(
            "\n(no model: give --model DIR or set ANSWERBANK_TEST_MODEL, with ../shared/questionnaires, for the model case)"
        );
        return;
    };
    let v = run_child(&exe, &["--model-case", "--model", &model.to_string_lossy()]);
    println!(
        "\n## draft with the model: HECVAT 4.1.4 against the example library (embeddings cached)\n"
    );
    println!(
        "| questions | load model + vectors | read | match (encoding included) | write | total | peak memory |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {} | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {:.0} MB |",
        v["questions"],
        v["load_ms"] / 1000.0,
        v["read_ms"] / 1000.0,
        v["match_ms"] / 1000.0,
        v["write_ms"] / 1000.0,
        (v["load_ms"] + v["read_ms"] + v["match_ms"] + v["write_ms"]) / 1000.0,
        v["peak_mb"]
    );
    println!(
        "\nencoder alone: {} questions in {:.2} s, {:.0} questions/s (best of 3; compare `python3 tools/encoder_reference.py`)",
        v["questions"],
        v["encode_ms"] / 1000.0,
        v["questions"] / (v["encode_ms"] / 1000.0)
    );
}
