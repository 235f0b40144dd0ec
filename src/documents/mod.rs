//! Documents: a company's own policies, procedures and pages, read into cited passages (see #24).
//!
//! Where it sits: a floor beside `questionnaire/`. In: files or folders (Markdown, plain text, HTML, Word `.docx`,
//! PDF with a text layer). Out: [`Documents`], the [`Passage`]s of every document that could be read, each a
//! structural unit (one paragraph, list item, table row or quote) with the heading path above it, plus a
//! [`Problem`] for each document that could not. It knows nothing of matching, drafting or the review workbook:
//! ranking passages against questions is someone else's job, and so is windowing a long passage into excerpts
//! (with [`sentences`]).
//!
//! Documents are arbitrary files, so every one is read under [`Limits`] (file size, extracted text, zip-bomb
//! checks shared with the workbook reader, pages, files per run, folder depth), a parser that panics is caught,
//! and one bad document never loses the others. What no catch stops (a stack overflow, a loop, gigabytes asked
//! for) is why the command-line tool parses HTML, `.docx` and PDF in a child process ([`isolated`]). Decisions
//! worth knowing:
//! - In a folder, hidden files and folders (`.name`) are skipped, and so are files of unsupported types, silently;
//!   a file named directly that cannot be read is always a [`Problem`].
//! - Symbolic links inside a folder are never followed: a linked folder could lead out of the tree or round in a
//!   circle, and a linked file is skipped unless its target lies inside the same folder (then it is read once,
//!   where it is found). A path given directly may itself be a link.
//! - Passages are cached per document in `<cache>/documents/` ([`cache`]), so only documents that changed are
//!   parsed again.

mod cache;
mod docx;
mod html;
pub mod isolated;
mod markdown;
mod pdf;
mod sentences;
mod text;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use sentences::sentences;

/// What structural unit a passage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PassageKind {
    Paragraph,
    /// One item of a list; a nested list's items are passages of their own.
    ListItem,
    /// One table row, its cells joined with "; ".
    TableRow,
    /// A block quote.
    Quote,
    /// Preformatted text (an indented block in Markdown, `<pre>` in HTML), one passage per blank-line block: policy
    /// folders indent sub-items by accident far more often than they hold code.
    Preformatted,
    /// A definition list's term or description (`<dt>`, `<dd>`).
    Definition,
}

/// One structural unit of a document's text, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// The file as cited: relative to the folder it was found under, `/`-separated (`policies/access.md`); for a
    /// file given directly, its file name.
    pub file: String,
    /// The heading path above the passage, outermost first, the document's title included when the format has one.
    pub headings: Vec<String>,
    /// The PDF page (1-based); `None` for other formats.
    pub page: Option<u32>,
    pub kind: PassageKind,
    /// Plain text: no markup, whitespace collapsed to single spaces, punctuation and quotes as written.
    pub text: String,
}

impl Passage {
    /// `policies/access.md › Access Control Policy › Scope`; for a PDF `SOC2.pdf, p. 14` (then ` › heading`).
    pub fn citation(&self) -> String {
        let mut out = self.file.clone();
        if let Some(page) = self.page {
            out.push_str(&format!(", p. {page}"));
        }
        for heading in &self.headings {
            out.push_str(" › ");
            out.push_str(heading);
        }
        out
    }

    /// Whether the text holds an unfilled template placeholder: `{{.Name}}`, `{{ company }}`, `{{company_name}}`.
    pub fn has_placeholder(&self) -> bool {
        has_placeholder(&self.text)
    }
}

/// `{{` followed, within 80 characters and before any other brace, by `}}`, with something other than spaces in
/// between.
pub(crate) fn has_placeholder(text: &str) -> bool {
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let inner_end = after
            .char_indices()
            .take(80)
            .find(|&(_, c)| c == '{' || c == '}')
            .map(|(i, _)| i);
        if let Some(end) = inner_end
            && after[end..].starts_with("}}")
            && !after[..end].trim().is_empty()
        {
            return true;
        }
        rest = after;
    }
    false
}

/// A document that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// Plain English, reading as the end of "<file> was skipped: ...".
    pub reason: String,
}

/// Everything read from the documents.
#[derive(Debug, Clone, Default)]
pub struct Documents {
    pub passages: Vec<Passage>,
    pub problems: Vec<Problem>,
    /// Documents read without a problem (from the cache or parsed).
    pub files: usize,
    /// Documents parsed this run, not taken from the cache.
    pub reread: usize,
}

/// What an untrusted document may make the reader do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Limits {
    /// Size of one document file; a larger one is skipped before it is read.
    pub max_file_bytes: u64,
    /// Text extracted from one document; a document with more is skipped.
    pub max_text_bytes: usize,
    /// Pages of one PDF.
    pub max_pdf_pages: usize,
    /// Documents read in one run; the rest are reported, once.
    pub max_files: usize,
    /// Folder entries looked at in one run (files of every type and folders), so a huge tree cannot take forever.
    pub max_entries: usize,
    /// Folder depth below a configured folder.
    pub max_depth: usize,
    /// Zip and part limits for `.docx`, the workbook reader's own.
    pub ooxml: crate::ooxml::Limits,
    /// HTML, `.docx` and PDF parsed in a child process under these limits ([`isolated`]); `None` (the default)
    /// parses them in this one.
    #[serde(skip)]
    pub isolation: Option<isolated::Isolation>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 50 * 1_000_000,
            max_text_bytes: 5 * 1_000_000,
            max_pdf_pages: 2_000,
            max_files: 20_000,
            max_entries: 200_000,
            max_depth: 32,
            ooxml: crate::ooxml::Limits {
                max_file_bytes: 50 * 1_000_000,
                ..crate::ooxml::Limits::default()
            },
            isolation: None,
        }
    }
}

impl Limits {
    /// The default limits, with HTML, `.docx` and PDF parsed in a child process of the running program: what the
    /// command-line tool reads documents with (see [`isolated`]). In this process when the program cannot be found.
    pub fn isolated() -> Limits {
        Limits {
            isolation: isolated::Isolation::this_program(),
            ..Limits::default()
        }
    }
}

/// The formats read, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Format {
    Markdown,
    Text,
    Html,
    Docx,
    Pdf,
}

impl Format {
    /// Whether its parser is large enough to be parsed apart when [`Limits::isolation`] asks (see [`isolated`]).
    fn has_large_parser(self) -> bool {
        matches!(self, Format::Html | Format::Docx | Format::Pdf)
    }
}

fn format_of(path: &Path) -> Option<Format> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match extension.as_str() {
        "md" | "markdown" => Format::Markdown,
        "txt" => Format::Text,
        "html" | "htm" => Format::Html,
        "docx" => Format::Docx,
        "pdf" => Format::Pdf,
        _ => return None,
    })
}

/// Reads every supported document under `paths` (files or folders, folders recursively) with the default
/// [`Limits`]. `cache`: the folder (a library's `.answerbank/`) where passages are kept per document, so that only
/// documents that changed are parsed again; `None` reads everything. Never panics: a document that cannot be read
/// becomes a [`Problem`] and the rest are read.
pub fn read(paths: &[PathBuf], cache: Option<&Path>) -> Documents {
    read_with(paths, cache, &Limits::default())
}

/// [`read`] under explicit limits.
pub fn read_with(paths: &[PathBuf], cache: Option<&Path>, limits: &Limits) -> Documents {
    use rayon::prelude::*;

    let mut documents = Documents::default();
    let found = walk::find(paths, limits, &mut documents.problems);
    let cache = cache.map(cache::Cache::open);
    let results: Vec<Result<(Vec<Passage>, bool), String>> = found
        .par_iter()
        .map(|doc| read_one(doc, cache.as_ref(), limits))
        .collect();
    for (doc, result) in found.iter().zip(results) {
        match result {
            Ok((passages, parsed)) => {
                documents.files += 1;
                documents.reread += usize::from(parsed);
                documents.passages.extend(passages);
            }
            Err(reason) => documents.problems.push(Problem {
                file: doc.path.clone(),
                reason,
            }),
        }
    }
    if let Some(cache) = &cache {
        cache.prune(&walk::folders(paths), &found);
    }
    documents
}

/// One document: from the cache when it has not changed, otherwise parsed (and cached). `Ok(.., true)` when parsed.
fn read_one(
    doc: &walk::Found,
    cache: Option<&cache::Cache>,
    limits: &Limits,
) -> Result<(Vec<Passage>, bool), String> {
    let metadata = std::fs::metadata(&doc.path).map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err(crate::fsutil::ReadError::NotRegular.to_string());
    }
    if metadata.len() > limits.max_file_bytes {
        return Err(format!(
            "it is larger than {}, the limit for a document",
            crate::fsutil::size_text(limits.max_file_bytes)
        ));
    }
    if let Some(passages) = cache.and_then(|c| c.fresh(&doc.path, &metadata, &doc.cited)) {
        return Ok((passages, false));
    }
    let bytes =
        crate::fsutil::read_regular(&doc.path, limits.max_file_bytes).map_err(|e| e.to_string())?;
    if let Some(passages) =
        cache.and_then(|c| c.same_content(&doc.path, &metadata, &bytes, &doc.cited))
    {
        return Ok((passages, false));
    }
    let passages = match &limits.isolation {
        Some(isolation) if doc.format.has_large_parser() => {
            isolated::parse(isolation, doc.format, &bytes, &doc.cited, limits)?
        }
        _ => parse(doc.format, &bytes, &doc.cited, limits)?,
    };
    if let Some(cache) = cache {
        cache.store(&doc.path, &metadata, &bytes, &passages);
    }
    Ok((passages, true))
}

/// One document's bytes parsed as [`read`] parses a file it has checked and found in no cache, the format taken
/// from the extension of `name` (also the name cited): `None` for a type that is not read. The entry point of the
/// documents fuzz target (`fuzz/fuzz_targets/documents.rs`), which has bytes and no file.
pub(crate) fn parse_named(
    name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Option<Result<Vec<Passage>, String>> {
    Some(parse(format_of(Path::new(name))?, bytes, name, limits))
}

/// Parses one document's bytes, a panic in a parser caught and reported like any other failure.
fn parse(
    format: Format,
    bytes: &[u8],
    cited: &str,
    limits: &Limits,
) -> Result<Vec<Passage>, String> {
    let run = || -> Result<Vec<Passage>, String> {
        let mut out = Outline::new(cited, limits.max_text_bytes);
        match format {
            Format::Markdown => markdown::read(&decode_text(bytes), &mut out),
            Format::Text => text::read(&decode_text(bytes), &mut out),
            Format::Html => html::read(&decode_text(bytes), cited, &mut out)?,
            Format::Docx => docx::read(bytes, &limits.ooxml, &mut out)?,
            Format::Pdf => pdf::read(bytes, limits.max_pdf_pages, &mut out)?,
        }
        out.finish()
    };
    match pdf::quietly(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))) {
        Ok(result) => result,
        Err(_) => Err("the parser failed on it (the file is probably damaged)".to_string()),
    }
}

/// Text files as UTF-8 (a byte-order mark dropped); anything that is not valid UTF-8 as Windows-1252, the likeliest
/// encoding of an older text file, which decodes every byte (UTF-16 with its BOM is also recognised).
fn decode_text(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Collapses every run of whitespace to one space and trims; control characters become spaces. Soft hyphens and
/// zero-width characters are invisible in every document: they are dropped, and left in they would split words (a
/// run of them between spaces is no word, so it leaves one space, not two).
pub(crate) fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        let mut visible = word
            .chars()
            .filter(|c| {
                !matches!(
                    c,
                    '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}'
                )
            })
            .peekable();
        if visible.peek().is_none() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(visible);
    }
    out
}

/// What a format reader builds: the heading path as it goes, and the passages under it.
pub(crate) struct Outline {
    file: String,
    /// (level, text); level 0 is the document title.
    headings: Vec<(u8, String)>,
    passages: Vec<Passage>,
    text_bytes: usize,
    max_text_bytes: usize,
}

impl Outline {
    fn new(file: &str, max_text_bytes: usize) -> Outline {
        Outline {
            file: file.to_string(),
            headings: Vec::new(),
            passages: Vec::new(),
            text_bytes: 0,
            max_text_bytes,
        }
    }

    /// A heading of `level` (0 title, 1-9): it replaces every heading at its level or deeper.
    pub(crate) fn heading(&mut self, level: u8, text: &str) {
        let text = collapse(text);
        if text.is_empty() {
            return;
        }
        self.text_bytes += text.len();
        while self.headings.last().is_some_and(|(l, _)| *l >= level) {
            self.headings.pop();
        }
        self.headings.push((level, text));
    }

    /// A passage under the current headings; empty text is dropped.
    pub(crate) fn passage(&mut self, kind: PassageKind, text: &str, page: Option<u32>) {
        let text = collapse(text);
        if text.is_empty() {
            return;
        }
        self.text_bytes += text.len();
        self.passages.push(Passage {
            file: self.file.clone(),
            headings: self.headings.iter().map(|(_, h)| h.clone()).collect(),
            page,
            kind,
            text,
        });
    }

    /// Whether the text read so far is over the limit (readers may stop early).
    pub(crate) fn full(&self) -> bool {
        self.text_bytes > self.max_text_bytes
    }

    fn finish(self) -> Result<Vec<Passage>, String> {
        if self.full() {
            return Err(format!(
                "it holds more than {} of text, the limit for a document",
                crate::fsutil::size_text(self.max_text_bytes as u64)
            ));
        }
        Ok(self.passages)
    }
}

mod walk;

#[cfg(test)]
mod tests;
