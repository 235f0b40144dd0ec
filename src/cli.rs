//! The command line (clap derive). Doc comments here are the `--help` text.
//!
//! Raw flags are turned into the domain's option types in `cmd/`; domain modules never see clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "answerbank",
    version,
    about = "Answer security and AI-governance questionnaires from a library of vetted answers",
    long_about = "Answer security and AI-governance questionnaires from a library of vetted answers.\n\n\
        The library is a folder of answer files (one vetted answer each); answerbank finds every question in a \
        customer's workbook, matches it against the library and drafts answers into the customer's own file, \
        with a review workbook that says what to trust.",
    after_long_help = "Examples:\n  answerbank search \"can we self-attest to ISO 42001\"\n  answerbank check\n"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find the library entries that best answer a question.
    #[command(
        after_long_help = "Examples:\n  answerbank search \"Do you support 2FA?\"\n  \
        answerbank search -n 3 --json \"Are backups encrypted?\"\n  \
        answerbank search --library ../shared/bench/caiq/library \"penetration tests\""
    )]
    Search(SearchArgs),
    /// Validate the library: parse errors, unknown keys, duplicate ids, stale and proposed entries, unfilled
    /// templates, short answers that disagree with their text, near-duplicate questions, and what reviews taught
    /// since an entry was last reviewed (wordings to approve, rejections and Needs SME to consider). A count of
    /// each kind comes first (on stderr), then one line per finding (unfilled templates are counted, not listed,
    /// unless --kind template asks for them). Exits 0 when clean, 1 when it found something, 2 when it could not
    /// run.
    #[command(
        after_long_help = "Examples:\n  answerbank check\n  answerbank check --kind short-answer\n  \
        answerbank check --library my_answers --json"
    )]
    Check(CheckArgs),
    /// Measure matching quality on labelled questions: Hit@1, Hit@5, MRR, and precision per confidence band.
    #[command(
        after_long_help = "The cases file is a CSV with columns `question` and `expected` (library ids \
        separated by `;`; empty when no entry answers it and the right behaviour is to abstain), and optionally \
        `context` (the question's ID and section, as free text), `id`, `section`, `previous`.\n\n\
        Examples:\n  answerbank eval --library ../shared/bench/caiq/library --cases ../shared/bench/caiq/dev.csv\n  \
        answerbank eval --library ../shared/bench/caiq/library --cases ../shared/bench/caiq/dev.csv \
        --cases ../shared/bench/crossframe --baseline\n  \
        answerbank eval --cases my_cases.csv --show-misses 10\n  answerbank eval --cases my_cases.csv --json"
    )]
    Eval(EvalArgs),
    /// Show what answerbank finds in a questionnaire: per sheet the header row, question, ID and answer columns
    /// (with their kind and allowed values) and the number of questions, or why a sheet was skipped.
    #[command(after_long_help = "Examples:\n  answerbank columns vendor.xlsx\n  \
        answerbank columns vendor.xlsx --rows\n  \
        answerbank columns vendor.xlsx --sheet Security --header-row 4 --question-col C --answer-col D --json")]
    Columns(ColumnsArgs),
    /// Draft answers into a copy of the customer's own workbook, and write a review workbook.
    #[command(
        after_long_help = "Writes <name>.drafted.xlsx (the customer's workbook with drafted answers in its \
        answer cells, everything else unchanged; .xlsm for an .xlsm input, and a same-shaped .xlsx for .xls, .xlsb, \
        .ods and .csv) and <name>.review.xlsx (every question with its draft, confidence \
        and source, and Decision / Final answer columns for the reviewer), next to the input or in --out-dir. \
        <name> is the input's file name without .xlsx; any other extension stays in it, so q.xlsx and q.csv in \
        one folder never share outputs: vendor.xlsx gives vendor.drafted.xlsx, q.csv gives q.csv.drafted.xlsx \
        and q.csv.review.xlsx.\n\n\
        The questionnaire is read first: a file that cannot be read, has no questions (each sheet's reason is \
        given) or is a review workbook (use `answerbank finish` for that) is an error, and nothing is written.\n\n\
        Examples:\n  answerbank draft fixtures/example-questionnaire.xlsx\n  \
        answerbank draft vendor.xlsx --min-confidence medium --out-dir drafts\n  \
        answerbank draft vendor.xlsx --sheet Security --question-col C --answer-col D --json"
    )]
    Draft(DraftArgs),
    /// Write the reviewed answers into the customer's workbook, list what is still open, and teach the library
    /// what the reviewer decided.
    #[command(
        after_long_help = "Reads a review workbook written by `draft` after a person set Decision (Accept, Use #2, \
        Use #3, Edit, Reject, Needs SME), typed Final answers, or corrected a drafted short answer or answer in \
        place (that row counts as edited). Writes <name>.answered.xlsx (.xlsm for an .xlsm questionnaire; <name> as `draft` names its outputs) \
        and <name>.open-questions.xlsx (every question still open: rejected, Needs SME, no decision and no answer, or \
        not written, with why) next to it, and prints how many questions are answered and how.\n\n\
        The review is checked against the questionnaire as draft read it: a recorded cell that is not one of its \
        question's answer cells is refused. The library learned into is --library, else the one draft would use \
        here (ANSWERBANK_LIBRARY, else answer_library), which must be the one the review was drafted with; a \
        decision is recorded on an entry only while it still holds the answer the review showed.\n\n\
        What the library learns is printed (and in --json): the customer wording of an accepted high-confidence \
        draft becomes an alternate of its entry; an accepted medium or low draft, or a candidate picked with Use \
        #N, is recorded on that entry as a pending wording that is never drafted at high until a person approves \
        it (--approve makes it an alternate at once); Reject and Needs SME are recorded on the drafted entry (so is \
        the entry passed over for Use #N, and one whose Yes/No an edit flipped), which is then never drafted at \
        high or medium for that wording; an edited answer becomes a new proposed entry under <library>/learned/ \
        (approved with --approve).\n\n\
        Exit codes: 0 done; 1 done, but something the reviewer did could not be applied (each is listed: an answer \
        the file already holds differently, Edit without a Final answer, a changed short answer that contradicts \
        the answer text, ...); 2 could not run.\n\n\
        Examples:\n  answerbank finish vendor.review.xlsx\n  \
        answerbank finish vendor.review.xlsx --source moved/vendor.xlsx --no-learn\n  \
        answerbank finish vendor.review.xlsx --approve --json"
    )]
    Finish(FinishArgs),
    /// Bootstrap the library from a past answered questionnaire: each answered question becomes an entry.
    #[command(
        after_long_help = "Entries are written under <library>/imported/<file-name-slug>/ with status \"proposed\" \
        (\"approved\" with --approve; `answerbank approve --source FILE` approves them later), ids made from the \
        question's words, the questionnaire's question ID and cell in `source`, and `reviewed` set to when the \
        answers were given (a Date field in the file, else its last-modified date). A Yes/No answer becomes the \
        entry's short answer however it is spelled (\"2) No\", \"Y\", \"TRUE\"). A question the library already \
        answers the same way (in other spellings or words) adds at most an alternate wording; one it answers \
        differently (another Yes/No, other figures) is a conflict, written as a proposed entry derived from the \
        existing one. A sheet whose answers look like titles (short, no verb, repeated) is left out unless \
        --force.\n\n\
        Examples:\n  answerbank import last-year-vendor-x.xlsx --dry-run\n  \
        answerbank import last-year-vendor-x.xlsx --approve --library my_answers"
    )]
    Import(ImportArgs),
    /// Start an answer library: a folder with library.toml (every setting explained), a .gitignore for the
    /// index cache, and an example entry that shows the format.
    #[command(
        after_long_help = "DIR is made if it is missing. A folder that already holds a library (a library.toml \
        or answer files) is refused and left as it is; other files in it (a README, a .git) are fine, and an \
        existing .gitignore only gains the line for the cache folder. The example entry is \"proposed\", so it is \
        never drafted into a customer's file until you make it yours and set status = \"approved\".\n\n\
        With --starter, the library starts with the starter kit instead of the example entry: templates for the \
        questions customers ask (access, encryption, logging, vulnerabilities, continuity, incidents, vendors, \
        people, privacy, secure development, compliance, AI governance, ISO/IEC 42001, NIST AI RMF, EU AI Act), \
        each \"proposed\", with guidance on what the customer wants to know and {{ ... }} placeholders for your \
        facts. A template is never drafted into a customer's file until you fill it in and approve it; importing \
        a questionnaire you answered before fills the templates it answers.\n\n\
        Examples:\n  answerbank init\n  answerbank init --starter security-answers\n  \
        answerbank import last-year-vendor-x.xlsx --library security-answers"
    )]
    Init(InitArgs),
    /// Approve proposed library entries after a look: sets status = "approved" and reviewed = today, and turns
    /// customer wordings accepted in reviews into alternates.
    #[command(
        after_long_help = "Selects entries by file or folder, by the questionnaire they were imported or learned \
        from (--source), by tag (--tag), or all of them (--all); several selectors narrow the choice. Proposed \
        entries are approved; approved ones that have customer wordings accepted in a review but not yet \
        confirmed get them as alternates (and are reviewed again). Each file changes in place, a line or a few, \
        nothing else. An unfilled template (a body with a {{ ... }} placeholder) is refused, named, and the \
        command exits 1.\n\n\
        Many entries at once (#25): --review OUT.xlsx writes a workbook of the proposed entries chosen (all of \
        them without a selector): question, short answer, answer, source, conflicts and check findings, one row \
        each, with a Decision (Approve / Edit / Reject / Fill template) and, where one asks the same in other \
        words, the unfilled starter template the entry may fill. Type a corrected short answer or answer into the \
        row's own cells to edit it. --from-review FILE.xlsx (or the workbook given as the PATH) applies the \
        decisions: Approve approves, an edited row is written into its entry and approved, Reject retires the \
        entry, Fill template writes the answer into the offered template (approved, its guidance kept) and \
        retires the entry. A row whose entry or template changed since the review was written is left alone and \
        reported (exit 1); a review naming entries the library does not have is refused whole.\n\n\
        Examples:\n  answerbank approve --source last-year-vendor-x.xlsx --dry-run\n  \
        answerbank approve answer_library/imported/last-year-vendor-x/\n  \
        answerbank approve --library my_answers --all --json\n  \
        answerbank approve --source last-year-vendor-x.xlsx --review vendor-x-answers.xlsx\n  \
        answerbank approve --from-review vendor-x-answers.xlsx --dry-run"
    )]
    Approve(ApproveArgs),
    /// The sentence-embedding model semantic matching uses: which one a library would use, and why.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Answerbank's own: parses one company document given on stdin, in a process of its own, for the commands
    /// that read documents (see `answerbank::documents::isolated`).
    #[command(name = answerbank::documents::isolated::COMMAND, hide = true)]
    ParseDocument {
        /// What to parse and under which limits, as JSON.
        request: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Say which model the library's commands would use and where it comes from: --model, `[semantic] model`
    /// in library.toml, or the reference model (all-MiniLM-L6-v2) in the Hugging Face cache; and whether the
    /// reference model is in that cache. Exits 0 when a model would be used, 1 when matching would be lexical.
    #[command(
        after_long_help = "Examples:\n  answerbank model status\n  answerbank model status --library my_answers --json"
    )]
    Status(ModelStatusArgs),
    /// Download the reference model (sentence-transformers/all-MiniLM-L6-v2) from the Hugging Face Hub into the
    /// Hugging Face cache, checking every file against the checksum the Hub gives; matching then uses it with no
    /// configuration. HF_ENDPOINT picks another endpoint (a mirror), HF_HOME or HF_HUB_CACHE another cache; a
    /// token (HF_TOKEN, or the file `huggingface-cli login` writes) is sent to that endpoint only, never where it
    /// redirects. Each file has a size limit, and 30 s without progress stops the install.
    #[command(
        after_long_help = "Examples:\n  answerbank model install\n  answerbank model install --json\n  \
        HF_ENDPOINT=https://hf-mirror.example.org answerbank model install"
    )]
    Install(ModelInstallArgs),
}

#[derive(Debug, Args)]
pub struct ModelInstallArgs {
    /// Another sentence-transformers model of the Hub (then used only when named with --model or in
    /// library.toml; bands were measured with the reference model).
    #[arg(
        long,
        value_name = "ORG/NAME",
        default_value = "sentence-transformers/all-MiniLM-L6-v2"
    )]
    pub model_id: String,
    /// The revision (branch, tag or commit) to fetch.
    #[arg(long, default_value = "main")]
    pub revision: String,
    /// Seconds without progress (no answer, or less than 64 KB arriving) after which the install stops (#29).
    /// Hidden: the tests shorten it; a user on a slow line can lengthen it.
    #[arg(
        long,
        env = "ANSWERBANK_DOWNLOAD_STALL_SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=3600),
        hide = true
    )]
    pub stall_secs: u64,
    /// Machine-readable output (no progress bars).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ModelStatusArgs {
    #[command(flatten)]
    pub library: LibraryArgs,
    #[command(flatten)]
    pub semantic: SemanticArgs,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// Semantic matching with a local sentence-embedding model.
#[derive(Debug, Clone, Args)]
pub struct SemanticArgs {
    /// A sentence-transformers model directory for semantic matching (overrides `[semantic] model` in the
    /// library's library.toml).
    #[arg(long, value_name = "DIR", conflicts_with = "no_model")]
    pub model: Option<PathBuf>,
    /// Match without a model, even when one is configured or installed (lexical matching only).
    #[arg(long)]
    pub no_model: bool,
}

/// Where the answer library is.
#[derive(Debug, Args)]
pub struct LibraryArgs {
    /// The answer library folder.
    #[arg(
        long,
        value_name = "DIR",
        env = "ANSWERBANK_LIBRARY",
        default_value = "answer_library"
    )]
    pub library: PathBuf,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub library: LibraryArgs,
    #[command(flatten)]
    pub semantic: SemanticArgs,
    /// How many entries to show (the matcher ranks at most 50, or 70 with a model).
    #[arg(short = 'n', long = "limit", value_name = "N", default_value_t = 5,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000))]
    pub limit: usize,
    /// Print the results as a JSON array.
    #[arg(long)]
    pub json: bool,
    /// Search the company's documents instead of the library: `--docs` alone searches those library.toml
    /// configures, `--docs=PATH` (repeatable) these files or folders. Lists excerpts with score and source.
    #[arg(long, value_name = "PATH", num_args = 0..=1, require_equals = true)]
    pub docs: Option<Vec<PathBuf>>,
    /// The question, in any words (quotes are optional; nothing in it is query syntax).
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub library: LibraryArgs,
    /// Print the findings as a JSON array of {kind, file, line, message} (every finding, templates included).
    #[arg(long)]
    pub json: bool,
    /// List only the findings of this kind (as the summary and each line name it: template, short-answer,
    /// proposed, stale, ...); the listing, --json and the exit code then cover that kind alone.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub library: LibraryArgs,
    #[command(flatten)]
    pub semantic: SemanticArgs,
    /// The labelled questions: a CSV with `question` and `expected` columns, or a folder of them. Repeat it to
    /// measure a suite: one row per file and the macro average over files.
    #[arg(long, value_name = "FILE.csv|DIR", required = true)]
    pub cases: Vec<PathBuf>,
    /// Measure answers from documents instead: the company documents (files or folders, repeatable) whose
    /// passages answer the cases, which then need an `evidence` column (see ../shared/bench/docs/README.md).
    #[arg(long, value_name = "PATH")]
    pub docs: Vec<PathBuf>,
    /// Also rank the same cases with the simple peers (stemmed BM25 and TF-IDF; with a model, the model alone
    /// and rank fusion of BM25 and the model) and print them beside answerbank.
    #[arg(long)]
    pub baseline: bool,
    /// Print all figures as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// List the N worst misses: question, expected, what ranked first and why.
    #[arg(long, value_name = "N")]
    pub show_misses: Option<usize>,
    /// Also write one row per case (question, expected, what ranked first, score, margin, band, correct).
    #[arg(long, value_name = "FILE.csv")]
    pub details: Option<PathBuf>,
    /// Ranking weights as JSON (for experiments; see `matching::rank::Weights`).
    #[arg(long, value_name = "JSON", hide = true)]
    pub weights: Option<String>,
    /// Write every entry's ranking features for every case as JSON lines (for experiments that choose the
    /// ranking method offline; see docs/matching.md).
    #[arg(long, value_name = "FILE.jsonl", hide = true)]
    pub dump_features: Option<PathBuf>,
}

/// How to read a questionnaire, when detection needs help. Shared by every command that reads one. (clap does not
/// show this comment: what the user must know is in the options' own help.)
#[derive(Debug, Clone, Args)]
pub struct ReaderArgs {
    /// Only read this sheet (repeatable; a named hidden sheet is read too).
    #[arg(long = "sheet", value_name = "NAME")]
    pub sheets: Vec<String>,
    /// Also read hidden sheets and hidden rows.
    #[arg(long)]
    pub include_hidden: bool,
    /// The header row, as Excel numbers it. The header and column options describe one sheet: with several
    /// sheets, name it with --sheet.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
    pub header_row: Option<u32>,
    /// The column holding the questions (a letter, e.g. B).
    #[arg(long, value_name = "COL", value_parser = parse_column_arg)]
    pub question_col: Option<u32>,
    /// The column holding question IDs.
    #[arg(long, value_name = "COL", value_parser = parse_column_arg)]
    pub id_col: Option<u32>,
    /// The column for the short answer (Yes/No/N/A), or the only answer column. With --answer-col or
    /// --comment-col, only the columns given are written (the detected answer columns are replaced).
    #[arg(long, value_name = "COL", value_parser = parse_column_arg)]
    pub answer_col: Option<u32>,
    /// The column for the long answer (comments, explanation).
    #[arg(long, value_name = "COL", value_parser = parse_column_arg)]
    pub comment_col: Option<u32>,
}

fn parse_column_arg(text: &str) -> Result<u32, String> {
    answerbank::cell::parse_column(text)
        .ok_or_else(|| format!("`{text}` is not a column letter such as B or AA"))
}

#[derive(Debug, Args)]
pub struct ColumnsArgs {
    /// The questionnaire (.xlsx, .xlsm, .xls, .xlsb, .ods or .csv).
    pub file: PathBuf,
    #[command(flatten)]
    pub reader: ReaderArgs,
    /// List every question row found (sheet, row, ID, question, answer cells).
    #[arg(long)]
    pub rows: bool,
    /// Print the findings as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DraftArgs {
    /// The customer's questionnaire (.xlsx, .xlsm, .xls, .xlsb, .ods or .csv). It is never modified.
    pub file: PathBuf,
    #[command(flatten)]
    pub library: LibraryArgs,
    #[command(flatten)]
    pub semantic: SemanticArgs,
    #[command(flatten)]
    pub reader: ReaderArgs,
    /// The company's own documents (files or folders, repeatable) to offer excerpts from where the library has
    /// no high or medium answer; replaces `[documents] paths` of library.toml for this run.
    #[arg(long, value_name = "PATH", conflicts_with = "no_docs")]
    pub docs: Vec<PathBuf>,
    /// Offer nothing from documents in this run, whatever library.toml configures.
    #[arg(long)]
    pub no_docs: bool,
    /// Where to write the two output files (default: next to the input).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// The lowest confidence written into the customer's file: high (the default), medium or low; every question
    /// is in the review workbook.
    #[arg(long, value_name = "BAND", default_value = "high", value_parser = parse_confidence)]
    pub min_confidence: answerbank::matching::Confidence,
    /// Replace answers that are already in the file.
    #[arg(long)]
    pub overwrite: bool,
    /// Replace the output files if they exist. An earlier output that a person worked on is kept beside the new
    /// one (`q.drafted.1.xlsx`), and a review in progress is refused unless --discard-review.
    #[arg(long)]
    pub force: bool,
    /// With --force: replace a review workbook that holds decisions, Final answers or corrected drafts too. It is
    /// kept beside the new one (`q.review.1.xlsx`), never deleted.
    #[arg(long, requires = "force")]
    pub discard_review: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

fn parse_confidence(text: &str) -> Result<answerbank::matching::Confidence, String> {
    match answerbank::matching::Confidence::parse(text) {
        Some(answerbank::matching::Confidence::None) | None => {
            Err(format!("`{text}` is not one of high, medium, low"))
        }
        Some(band) => Ok(band),
    }
}

#[derive(Debug, Args)]
pub struct FinishArgs {
    /// The review workbook written by `draft`, with decisions filled in.
    pub review: PathBuf,
    /// The answer library to learn into (default: ANSWERBANK_LIBRARY, else answer_library, as for `draft`; it
    /// must then be the library the review was drafted with).
    #[arg(long, value_name = "DIR")]
    pub library: Option<PathBuf>,
    /// The customer's original workbook, when it has moved since `draft`.
    #[arg(long, value_name = "FILE")]
    pub source: Option<PathBuf>,
    /// Write the answered workbook only; change nothing in the library.
    #[arg(long)]
    pub no_learn: bool,
    /// Write new entries as approved instead of proposed, and make accepted medium/low drafts and picked
    /// candidates alternates at once instead of pending wordings.
    #[arg(long, conflicts_with = "no_learn")]
    pub approve: bool,
    /// Replace the answered workbook and the open-questions file if they exist; one that holds anything the new
    /// one does not (a cell someone typed) is kept beside it (`q.answered.1.xlsx`).
    #[arg(long)]
    pub force: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A questionnaire your team answered before.
    pub file: PathBuf,
    #[command(flatten)]
    pub library: LibraryArgs,
    #[command(flatten)]
    pub reader: ReaderArgs,
    /// Write the entries as approved instead of proposed (conflicts stay proposed).
    #[arg(long)]
    pub approve: bool,
    /// Show what would be imported (the first question → answer pairs of each sheet); write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import sheets whose answers look like titles (short, no verb, the same on several rows) too.
    #[arg(long)]
    pub force: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to start the library in (default: answer_library, where the other commands look).
    #[arg(
        value_name = "DIR",
        env = "ANSWERBANK_LIBRARY",
        default_value = "answer_library"
    )]
    pub dir: PathBuf,
    /// Start from the starter kit: templates for the questions security and AI-governance questionnaires ask,
    /// each with guidance and {{ ... }} placeholders for your facts (never drafted until filled in and approved).
    #[arg(long)]
    pub starter: bool,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// Entry files or folders of the library to approve.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub library: LibraryArgs,
    /// Only entries imported or learned from this questionnaire (its file name, as their `source` records it).
    #[arg(long, value_name = "FILE")]
    pub source: Option<PathBuf>,
    /// Only entries with this tag.
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Every proposed entry of the library (and every approved one with accepted wordings not yet alternates).
    #[arg(long, conflicts_with_all = ["paths", "source", "tag"])]
    pub all: bool,
    /// Write a review workbook of the chosen proposed entries (every proposed entry without a selector) to decide
    /// Approve / Edit / Reject / Fill template in a spreadsheet; nothing in the library changes.
    #[arg(long, value_name = "OUT.xlsx", conflicts_with_all = ["from_review", "dry_run"])]
    pub review: Option<PathBuf>,
    /// Replace an existing --review workbook (the earlier one is kept beside it as OUT.1.xlsx).
    #[arg(long, requires = "review")]
    pub force: bool,
    /// Apply the decisions of a review workbook written by --review.
    #[arg(long, value_name = "FILE.xlsx", conflicts_with_all = ["paths", "source", "tag", "all"])]
    pub from_review: Option<PathBuf>,
    /// List what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print what was approved and refused as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}
