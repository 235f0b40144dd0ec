//! Speed at scale: index builds, edits, and `draft` of generated questionnaires against generated libraries,
//! split into read, match and write time, with peak memory.
//!
//! Run: `cargo bench --bench scale` (the full table, a few minutes), or
//! `cargo bench --bench scale -- --quick` (1,000 questions against 5,000 entries only).
//! Each draft case runs in a child process of its own so its peak memory (VmHWM) is its own.
//!
//! Beside the short generated entries, a second kind has bodies of real length (#27): about 40 words of answer text
//! each, drawn from the words of the CAIQ library's answers in `../shared/bench/caiq/library/` (third-party text,
//! read at bench time and never kept in this repository; without it the case is skipped). Its libraries are
//! indexed from nothing, drafted against in this bench's own child processes, and drafted as a user runs it: the
//! `answerbank` binary in a process of its own (`answerbank draft --no-model`, the index already built), best of
//! three runs. `--real` runs that kind alone.
//!
//! With a model (`--model DIR`, or `ANSWERBANK_TEST_MODEL`) and the real HECVAT 4.1.4 in
//! `../shared/questionnaires/`, it also drafts that questionnaire against the example library with semantic
//! matching (embeddings already cached, as on every run after the first) and measures the encoder alone on its
//! questions. The questions are written to `target/bench-data/hecvat-questions.txt` for
//! `tools/encoder_reference.py`, the numpy reference the encoder's speed is compared with.

mod common;

use common::{model_arg, peak_rss_mb, run_child};

/// The allocator the `answerbank` binary ships with (see `src/main.rs`), so the bench's own figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// The words of the CAIQ library's answers and its questions, in file order: what entries of real length are
/// made of (#27). `None` when `../shared/bench/caiq/library/` is not there.
struct RealWords {
    /// Every word of every answer body, in order, repeats kept (so common words stay common).
    answers: Vec<String>,
    /// Each question, as its words.
    questions: Vec<Vec<String>>,
    /// Each question's tag (the first of its file's).
    tags: Vec<String>,
}

fn caiq_library() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/caiq/library")
}

fn real_words() -> Option<RealWords> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(caiq_library())
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    let mut words = RealWords {
        answers: Vec::new(),
        questions: Vec::new(),
        tags: Vec::new(),
    };
    for file in files {
        let text = std::fs::read_to_string(&file).ok()?;
        let mut parts = text.splitn(3, "+++\n");
        let (_, front, body) = (parts.next()?, parts.next()?, parts.next()?);
        let value: toml::Table = toml::from_str(front).ok()?;
        let question = value.get("question")?.as_str()?;
        let tag = value
            .get("tags")
            .and_then(|t| t.as_array()?.first()?.as_str().map(str::to_string))
            .unwrap_or_else(|| "general".to_string());
        words
            .questions
            .push(question.split_whitespace().map(str::to_string).collect());
        words.tags.push(tag);
        words
            .answers
            .extend(body.split_whitespace().map(str::to_string));
    }
    (words.questions.len() > 10 && words.answers.len() > 1_000).then_some(words)
}

/// A deterministic spread of `n` (the same number always gives the same result).
fn mix(n: usize) -> usize {
    let mut x = (n as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (x ^ (x >> 31)) as usize
}

impl RealWords {
    /// `count` consecutive answer words from a place chosen by `seed`.
    fn run(&self, seed: usize, count: usize) -> String {
        let start = mix(seed) % (self.answers.len() - count);
        self.answers[start..start + count].join(" ")
    }

    /// Entry `n`'s question: a CAIQ question with two of its words replaced by answer words, so the library holds
    /// many variants of each real question.
    fn question(&self, n: usize) -> String {
        let mut words = self.questions[n % self.questions.len()].clone();
        for k in 0..2 {
            let at = mix(n * 3 + k) % words.len();
            words[at] = self.answers[mix(n * 5 + k) % self.answers.len()].clone();
        }
        words.join(" ")
    }

    /// Entry `n`'s body: about 40 words of answer text.
    fn body(&self, n: usize) -> String {
        format!("{}.", self.run(n, 36 + n % 9))
    }

    fn tag(&self, n: usize) -> String {
        self.tags[n % self.tags.len()].clone()
    }
}

/// Which library a case uses: short generated entries, or entries with real-length bodies (#27).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Short,
    Real,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Short => "short",
            Kind::Real => "real",
        }
    }

    fn parse(text: &str) -> Kind {
        if text == "real" {
            Kind::Real
        } else {
            Kind::Short
        }
    }

    fn library(self, entries: usize) -> PathBuf {
        match self {
            Kind::Short => data_dir().join(format!("library-{entries}")),
            Kind::Real => data_dir().join(format!("library-real-{entries}")),
        }
    }

    fn questionnaire(self, questions: usize, entries: usize) -> PathBuf {
        match self {
            Kind::Short => data_dir().join(format!("questionnaire-{questions}-{entries}.xlsx")),
            Kind::Real => data_dir().join(format!("questionnaire-real-{questions}-{entries}.xlsx")),
        }
    }
}

/// Writes a generated library of `entries` entry files, 50 topic folders, once (a `.complete` marker says it is
/// whole); `text` is entry `n`'s file.
fn write_library(dir: &Path, entries: usize, text: impl Fn(usize) -> String) {
    if dir.join(".complete").exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    for n in 0..entries {
        let sub = dir.join(format!("topic-{}", n % 50));
        if n < 50 {
            std::fs::create_dir_all(&sub).unwrap();
        }
        std::fs::write(sub.join(format!("entry-{n}.md")), text(n)).unwrap();
    }
    std::fs::write(dir.join(".complete"), "").unwrap();
}

/// A library of `entries` entries with real-length bodies.
fn make_real_library(dir: &Path, entries: usize, words: &RealWords) {
    write_library(dir, entries, |n| {
        format!(
            "+++\nquestion = {:?}\nshort_answer = \"Yes\"\ntags = [{:?}]\nowner = \"Security team\"\nreviewed = 2026-10-01\n+++\n{}\n",
            words.question(n),
            words.tag(n),
            words.body(n)
        )
    });
}

/// Questions of the real kind: an entry's own question (one in three), the same reworded, a CAIQ question with
/// two of its words dropped, or a question in other words that the library may not answer.
fn real_question(q: usize, library_entries: usize, words: &RealWords) -> String {
    let n = (q * 7919) % library_entries;
    match q % 4 {
        0 => words.question(n),
        1 => format!(
            "{} Please describe, and attach evidence.",
            words
                .question(n)
                .replacen("Are ", "Is it the case that ", 1)
                .replacen("Is ", "Please confirm whether ", 1)
        ),
        2 => {
            let mut question = words.questions[mix(q) % words.questions.len()].clone();
            for k in 0..2 {
                if question.len() > 4 {
                    question.remove(mix(q + k) % question.len());
                }
            }
            question.join(" ")
        }
        _ => format!("Describe how you handle {}?", words.run(q * 31, 8)),
    }
}

fn make_library(dir: &Path, entries: usize) {
    write_library(dir, entries, |n| {
        format!(
            "+++\nquestion = {:?}\nalternates = [{:?}]\nshort_answer = \"Yes\"\ntags = [{:?}]\nowner = \"Security team\"\nreviewed = 2026-10-01\n+++\n{}\n",
            question(n),
            format!(
                "Is {} in place for {}? ({n})",
                pick(TOPICS, n),
                pick(OBJECTS, n / 35)
            ),
            pick(TOPICS, n).replace(' ', "-").to_lowercase(),
            body(n)
        )
    });
}

/// A questionnaire: a title, a header with a Yes/No dropdown, sections, questions reworded from library entries
/// (every third one is asked in the library's exact words) and some the library cannot answer.
fn make_questionnaire(path: &Path, questions: usize, library_entries: usize) {
    write_questionnaire(path, questions, |q| {
        let n = (q * 7919) % library_entries;
        match q % 3 {
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
        }
    });
}

/// A questionnaire of `questions` questions, question `q` being `text(q)`: a title, a header with a Yes/No
/// dropdown, and a section every 50 questions.
fn write_questionnaire(path: &Path, questions: usize, text: impl Fn(usize) -> String) {
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
        sheet.write_string(row, 0, format!("Q-{}", q + 1)).unwrap();
        sheet.write_string(row, 1, text(q)).unwrap();
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
fn run_case(kind: Kind, questions: usize, entries: usize) {
    let library = kind.library(entries);
    let file = kind.questionnaire(questions, entries);
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

/// `answerbank draft` of `file` against `library` in a process of its own, as a user runs it (no model, no
/// documents): its wall time in seconds and its peak memory in MB.
#[expect(
    clippy::zombie_processes,
    reason = "waited for by wait4, which also gives the child's peak memory"
)]
fn run_draft(library: &Path, file: &Path) -> (f64, f64) {
    use std::os::unix::process::ExitStatusExt;
    let out = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_answerbank"))
        .arg("draft")
        .arg("--library")
        .arg(library)
        .args(["--no-model", "--no-docs", "--out-dir"])
        .arg(out.path())
        .arg(file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // wait4, not `Child::wait`: it also gives the child's own peak memory.
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills; the pid is our child's, waited for once.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = started.elapsed().as_secs_f64();
    assert_eq!(pid, child.id() as libc::pid_t);
    let code = std::process::ExitStatus::from_raw(status).code();
    // 1 is a draft that ran and left questions for review.
    assert!(matches!(code, Some(0 | 1)), "answerbank draft: {code:?}");
    (wall, usage.ru_maxrss as f64 / 1024.0)
}

fn main() {
    // SAFETY: the first thing the program does; no other thread exists yet. As the answerbank binary does.
    unsafe { answerbank::semantic::configure_threads() };
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--case") {
        run_case(
            Kind::parse(&args[i + 1]),
            args[i + 2].parse().unwrap(),
            args[i + 3].parse().unwrap(),
        );
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--draft-process") {
        let (wall, peak_mb) = run_draft(Path::new(&args[i + 1]), Path::new(&args[i + 2]));
        println!(
            "{{\"wall_ms\":{:.0},\"peak_mb\":{peak_mb:.0}}}",
            wall * 1000.0
        );
        return;
    }
    if args.iter().any(|a| a == "--model-case") {
        run_model_case(&model_arg(&args).expect("--model DIR"));
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let real_only = args.iter().any(|a| a == "--real");
    let base = data_dir();
    std::fs::create_dir_all(&base).unwrap();
    let words = real_words();
    if words.is_none() {
        println!(
            "(no ../shared/bench/caiq/library: the cases of entries with real-length bodies are skipped)\n"
        );
    }
    let mut libraries: Vec<(Kind, usize)> = Vec::new();
    let mut cases: Vec<(Kind, usize, usize)> = Vec::new();
    if !real_only {
        if quick {
            libraries.push((Kind::Short, 5_000));
            cases.push((Kind::Short, 1_000, 5_000));
        } else {
            libraries.extend([1_000, 5_000, 10_000, 100_000].map(|e| (Kind::Short, e)));
            cases.push((Kind::Short, 1_000, 5_000));
            for &entries in &[1_000, 10_000, 100_000] {
                for &questions in &[100, 1_000, 10_000] {
                    cases.push((Kind::Short, questions, entries));
                }
            }
        }
    }
    // Entries with real-length bodies (#27): the sizes its goals name.
    let mut whole: Vec<(usize, usize)> = Vec::new();
    if words.is_some() {
        libraries.extend([10_000, 100_000].map(|e| (Kind::Real, e)));
        cases.extend([(Kind::Real, 1_000, 10_000), (Kind::Real, 10_000, 100_000)]);
        whole.extend([(1_000, 10_000), (10_000, 100_000)]);
    }

    println!("## Index build (cold) and edit-to-search\n");
    println!(
        "| entries | bodies | cold build (files in the page cache) | reopen, nothing changed | one file edited, until searchable |"
    );
    println!("|---:|---|---:|---:|---:|");
    for &(kind, entries) in &libraries {
        let library = kind.library(entries);
        match (kind, &words) {
            (Kind::Real, Some(words)) => make_real_library(&library, entries, words),
            _ => make_library(&library, entries),
        }
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
        let wording = "Do you really keep a register of encryption key custodians?";
        let first_line = original.lines().nth(1).unwrap();
        std::fs::write(
            &edited,
            original.replacen(first_line, &format!("question = {wording:?}"), 1),
        )
        .unwrap();
        let started = Instant::now();
        let index = LibraryIndex::open(&library).unwrap();
        let result = Matcher::new(&index)
            .match_question(wording, &Default::default(), 1)
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
            "| {entries} | {} | {:.2} s | {:.0} ms | {:.0} ms |",
            kind.name(),
            cold.as_secs_f64(),
            warm.as_secs_f64() * 1000.0,
            edit.as_secs_f64() * 1000.0
        );
    }

    println!("\n## draft (release build, index already built)\n");
    println!(
        "| questions | entries | bodies | read | match | write | total | peak memory | high |"
    );
    println!("|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    let exe = std::env::current_exe().unwrap();
    for (kind, questions, entries) in cases {
        let file = kind.questionnaire(questions, entries);
        match (kind, &words) {
            (Kind::Real, Some(words)) => {
                write_questionnaire(&file, questions, |q| real_question(q, entries, words))
            }
            _ => make_questionnaire(&file, questions, entries),
        }
        let v = run_child(
            &exe,
            &[
                "--case",
                kind.name(),
                &questions.to_string(),
                &entries.to_string(),
            ],
        );
        let total = v["read_ms"] + v["match_ms"] + v["write_ms"];
        println!(
            "| {} | {} | {} | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {:.0} MB | {} |",
            v["questions"],
            entries,
            kind.name(),
            v["read_ms"] / 1000.0,
            v["match_ms"] / 1000.0,
            v["write_ms"] / 1000.0,
            total / 1000.0,
            v["peak_mb"],
            v["high"]
        );
    }

    if !whole.is_empty() {
        println!(
            "\n## `answerbank draft --no-model` as a user runs it (a process of its own, index already built; best of 3)\n"
        );
        println!("| questions | entries | bodies | wall time | peak memory |");
        println!("|---:|---:|---|---:|---:|");
    }
    for (questions, entries) in whole {
        // Started from a small child of this bench: a process's peak memory counts that of the process it was
        // started from, and this one has just indexed 100,000 entries.
        let (library, file) = (
            Kind::Real.library(entries),
            Kind::Real.questionnaire(questions, entries),
        );
        let (wall, peak_mb) = (0..3)
            .map(|_| {
                let v = run_child(
                    &exe,
                    &[
                        "--draft-process",
                        &library.to_string_lossy(),
                        &file.to_string_lossy(),
                    ],
                );
                (v["wall_ms"] / 1000.0, v["peak_mb"])
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap();
        println!("| {questions} | {entries} | real | {wall:.2} s | {peak_mb:.0} MB |");
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
