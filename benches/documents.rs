//! Speed of the company's documents (#24, "Speed"): reading and indexing 300 generated documents (about 2 MB of
//! text: Markdown, HTML pages, plain text and Word `.docx`) from nothing and with nothing changed, preparing them
//! for ranking, and, with a model, drafting the HECVAT 4.1.4 with the example library plus those documents.
//!
//! Run: `cargo bench --bench documents` (a minute without a model), with `--model DIR` (or
//! `ANSWERBANK_TEST_MODEL`) for the model cases. The documents' first embedding (what a user pays once) is measured
//! when the bench's library copy has no vectors for them yet, the first run; `--cold` measures it again.
//! Each case runs in a child process of its own so its peak memory is its own; `draft` is the real binary. The
//! model draft is measured twice: with everything cached, as when a questionnaire is drafted again or the same
//! template comes from another customer, and with the questions' vectors forgotten (a questionnaire not met
//! before: its questions are embedded).
//!
//! The documents are written once into `target/bench-data/documents/` (deterministic; their modification times set
//! an hour back, as a policy folder's are, so that "nothing changed" takes the cache's fast path).

mod common;

use common::{model_arg, peak_rss_mb};

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use answerbank::documents;
use answerbank::library::index::LibraryIndex;
use answerbank::matching::passages::PassageIndex;

/// Bump when the generated documents change, so an old folder is written again.
const GENERATION: &str = "2";
const DOCUMENTS: usize = 300;
/// What [`make_doc`] aims at per document, on average (the documents vary from half to one and a half times this);
/// headings, table cells and the sections' last blocks bring the whole to about 2 MB of text.
const TEXT_PER_DOCUMENT: usize = 5_600;

const ROLES: &[&str] = &[
    "The security team",
    "Each system owner",
    "The Chief Information Security Officer",
    "All employees and contractors",
    "The IT operations team",
    "Engineering managers",
    "The data protection officer",
    "Human resources",
    "The incident response lead",
    "Every vendor with access to customer data",
    "The compliance manager",
    "Team leads",
    "The change advisory board",
    "Service desk staff",
];
const MODALS: &[&str] = &["must", "shall", "will", "are required to", "should"];
const ACTIONS: &[&str] = &[
    "review access to",
    "approve changes to",
    "document the configuration of",
    "monitor activity on",
    "encrypt",
    "restrict administrative access to",
    "back up",
    "test the recovery of",
    "log every change to",
    "report incidents affecting",
    "classify",
    "retain records about",
    "securely dispose of",
    "rotate the credentials of",
    "apply security patches to",
    "scan for vulnerabilities in",
    "keep an inventory of",
    "assess the risks of",
];
const THINGS: &[&str] = &[
    "customer data",
    "production systems",
    "company laptops",
    "cloud accounts",
    "source code repositories",
    "administrative consoles",
    "production databases",
    "audit logs",
    "API keys and secrets",
    "customer support tools",
    "analytics pipelines",
    "mobile applications",
    "email accounts",
    "shared file storage",
    "build servers",
    "model training data",
    "third-party integrations",
    "the office network",
    "personnel records",
    "billing systems",
    "backup media",
    "encryption keys",
];
const WHEN: &[&str] = &[
    "at least annually",
    "every quarter",
    "before any system goes live",
    "within 24 hours of a request",
    "each month",
    "after every major change",
    "when an employee changes role",
    "within five business days",
    "on a schedule set by the risk register",
    "whenever a vendor contract is renewed",
];
const HOW: &[&str] = &[
    "with documented evidence kept for audit",
    "using automated tooling where it is available",
    "with the approval of management",
    "in every region where the company operates",
    "under the supervision of a named owner",
    "following the written procedure",
    "in line with industry standards such as ISO 27001 and SOC 2",
    "with results recorded in the ticketing system",
];
const WHY: &[&str] = &[
    "so that unauthorised access is detected early",
    "to limit the impact of a security incident",
    "to meet the commitments made to customers",
    "because regulators expect it",
    "so that the company can recover from a disaster",
    "to keep personal data confidential",
    "to reduce the risk of data loss",
];
const TOPICS: &[&str] = &[
    "Access Control",
    "Acceptable Use",
    "Asset Management",
    "Business Continuity",
    "Change Management",
    "Cryptography",
    "Data Classification",
    "Data Retention",
    "Disaster Recovery",
    "Human Resources Security",
    "Incident Response",
    "Information Security",
    "Logging and Monitoring",
    "Network Security",
    "Password Management",
    "Physical Security",
    "Privacy",
    "Risk Management",
    "Secure Development",
    "Vendor Management",
    "Vulnerability Management",
    "Artificial Intelligence Use",
];
const SECTIONS: &[&str] = &[
    "Purpose",
    "Scope",
    "Roles and Responsibilities",
    "Policy Statements",
    "Procedures",
    "Exceptions",
    "Enforcement",
    "Monitoring and Review",
    "Definitions",
    "Related Documents",
    "Training and Awareness",
    "Records",
];
const KINDS: &[&str] = &["Policy", "Standard", "Procedure", "Plan", "Guideline"];

/// A small deterministic generator (xorshift64*), so the documents are the same on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
}

/// One policy-like sentence of 10 to 30 words.
fn sentence(rng: &mut Rng) -> String {
    let mut s = match rng.below(4) {
        0 | 1 => format!(
            "{} {} {} {} {}",
            rng.pick(ROLES),
            rng.pick(MODALS),
            rng.pick(ACTIONS),
            rng.pick(THINGS),
            rng.pick(WHEN)
        ),
        2 => format!(
            "Access to {} is granted only to people who need it, and {} {} {} it {}",
            rng.pick(THINGS),
            rng.pick(ROLES).to_lowercase(),
            rng.pick(MODALS),
            rng.pick(&["review", "confirm", "revoke", "record"]),
            rng.pick(WHEN)
        ),
        _ => format!(
            "Exceptions to this {} require written approval from {} and are reviewed {}",
            rng.pick(KINDS).to_lowercase(),
            rng.pick(ROLES).to_lowercase(),
            rng.pick(WHEN)
        ),
    };
    if rng.below(2) == 0 {
        s.push(' ');
        s.push_str(rng.pick(HOW));
    }
    if rng.below(3) == 0 {
        s.push_str(", ");
        s.push_str(rng.pick(WHY));
    }
    // Trim to at most 30 words; every template has at least 10.
    let words: Vec<&str> = s.split(' ').collect();
    let mut s = words[..words.len().min(30)].join(" ");
    s = s.trim_end_matches(',').to_string();
    s.push('.');
    s
}

fn sentences(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| sentence(rng)).collect::<Vec<_>>().join(" ")
}

/// A document's structure, written out in each format.
enum Block {
    Heading(u8, String),
    Paragraph(String),
    List(Vec<String>),
    Table(Vec<[String; 3]>),
}

struct Doc {
    title: String,
    blocks: Vec<Block>,
}

fn make_doc(n: usize) -> Doc {
    let mut rng = Rng::new(n as u64 + 1);
    let topic = TOPICS[n % TOPICS.len()];
    let title = format!(
        "{topic} {} ({})",
        KINDS[n / TOPICS.len() % KINDS.len()],
        n + 1
    );
    let target = TEXT_PER_DOCUMENT / 2 + rng.below(TEXT_PER_DOCUMENT);
    let mut blocks = vec![Block::Paragraph(sentences(&mut rng, 2))];
    let mut text = 0;
    let mut section = rng.below(SECTIONS.len());
    while text < target {
        section += 1;
        blocks.push(Block::Heading(1, SECTIONS[section % SECTIONS.len()].into()));
        for _ in 0..1 + rng.below(3) {
            let count = 2 + rng.below(4);
            let p = sentences(&mut rng, count);
            text += p.len();
            blocks.push(Block::Paragraph(p));
        }
        match rng.below(4) {
            0 | 1 => {
                let items: Vec<String> =
                    (0..3 + rng.below(4)).map(|_| sentence(&mut rng)).collect();
                text += items.iter().map(String::len).sum::<usize>();
                blocks.push(Block::List(items));
            }
            2 => {
                let rows: Vec<[String; 3]> = (0..2 + rng.below(4))
                    .map(|_| {
                        [
                            rng.pick(THINGS).to_string(),
                            rng.pick(ROLES).to_string(),
                            sentence(&mut rng),
                        ]
                    })
                    .collect();
                text += rows.iter().map(|r| r[2].len() + 40).sum::<usize>();
                blocks.push(Block::Table(rows));
            }
            _ => {
                blocks.push(Block::Heading(
                    2,
                    format!("{} {}", rng.pick(TOPICS), rng.pick(SECTIONS)),
                ));
                let p = sentences(&mut rng, 3);
                text += p.len();
                blocks.push(Block::Paragraph(p));
            }
        }
    }
    Doc { title, blocks }
}

fn markdown(doc: &Doc) -> String {
    let mut out = format!("# {}\n\n", doc.title);
    for block in &doc.blocks {
        match block {
            Block::Heading(level, h) => {
                out.push_str(&format!("{} {h}\n\n", "#".repeat(*level as usize + 1)))
            }
            // Some emphasis and a link, as real policies have.
            Block::Paragraph(p) => out.push_str(&format!(
                "{}\n\n",
                p.replacen(" must ", " **must** ", 1).replacen(
                    "ISO 27001",
                    "[ISO 27001](https://www.iso.org/standard/27001)",
                    1
                )
            )),
            Block::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&format!("{}. {item}\n", i + 1));
                }
                out.push('\n');
            }
            Block::Table(rows) => {
                out.push_str("| Asset | Owner | Requirement |\n|---|---|---|\n");
                for [a, b, c] in rows {
                    out.push_str(&format!("| {a} | {b} | {c} |\n"));
                }
                out.push('\n');
            }
        }
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A saved policy page: head with styles and scripts, navigation, the text in `<main>`, a footer.
fn html(doc: &Doc) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} | Trust Center</title>\n\
         <style>body{{font-family:sans-serif;margin:0}} nav a{{padding:4px}} .cookie{{position:fixed}}</style>\n\
         <script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}\
         gtag('js',new Date());gtag('config','G-XXXX');</script></head>\n<body>\n\
         <header><a href=\"/\">Example Corp</a></header>\n<nav><ul>",
        escape(&doc.title)
    );
    for topic in TOPICS.iter().take(8) {
        out.push_str(&format!(
            "<li><a href=\"/{}\">{topic}</a></li>",
            topic.to_lowercase().replace(' ', "-")
        ));
    }
    out.push_str("</ul></nav>\n<main><article>\n");
    out.push_str(&format!("<h1>{}</h1>\n", escape(&doc.title)));
    for block in &doc.blocks {
        match block {
            Block::Heading(level, h) => {
                out.push_str(&format!("<h{0}>{1}</h{0}>\n", level + 1, escape(h)))
            }
            Block::Paragraph(p) => out.push_str(&format!(
                "<p>{}</p>\n",
                escape(p).replacen(" must ", " <strong>must</strong> ", 1)
            )),
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str(&format!("  <li>{}</li>\n", escape(item)));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(rows) => {
                out.push_str(
                    "<table><thead><tr><th>Asset</th><th>Owner</th><th>Requirement</th></tr></thead><tbody>\n",
                );
                for [a, b, c] in rows {
                    out.push_str(&format!(
                        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        escape(a),
                        escape(b),
                        escape(c)
                    ));
                }
                out.push_str("</tbody></table>\n");
            }
        }
    }
    out.push_str(
        "</article></main>\n<footer><p>© 2026 Example Corp. All rights reserved.</p>\
         <a href=\"/privacy\">Privacy</a> <a href=\"/terms\">Terms</a></footer>\n\
         <div class=\"cookie\">We use cookies. <button>Accept</button></div>\n\
         <script src=\"/static/app.js\"></script>\n</body></html>\n",
    );
    out
}

/// Plain text: an underlined title, capitals or underlined headings, paragraphs wrapped at 80 columns, "- " lists.
fn text(doc: &Doc) -> String {
    fn wrap(text: &str, indent: &str) -> String {
        let mut out = String::new();
        let mut line = String::new();
        for word in text.split(' ') {
            if !line.is_empty() && line.len() + word.len() > 78 {
                out.push_str(&line);
                out.push('\n');
                line = indent.to_string();
            }
            if !line.trim().is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(&line);
        out.push('\n');
        out
    }
    let mut out = format!("{}\n{}\n\n", doc.title, "=".repeat(doc.title.len()));
    for block in &doc.blocks {
        match block {
            Block::Heading(1, h) => out.push_str(&format!("{}\n\n", h.to_uppercase())),
            Block::Heading(_, h) => out.push_str(&format!("{h}\n{}\n\n", "-".repeat(h.len()))),
            Block::Paragraph(p) => out.push_str(&format!("{}\n", wrap(p, ""))),
            Block::List(items) => {
                for item in items {
                    out.push_str(&wrap(&format!("- {item}"), "  "));
                }
                out.push('\n');
            }
            Block::Table(rows) => {
                for [a, b, c] in rows {
                    out.push_str(&wrap(&format!("- {a} ({b}): {c}"), "  "));
                }
                out.push('\n');
            }
        }
    }
    out
}

/// A minimal valid WordprocessingML document: Title and Heading styles, paragraphs, a numbered list, a table.
fn docx(doc: &Doc) -> Vec<u8> {
    const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    fn para(style: Option<&str>, list: bool, text: &str) -> String {
        let mut props = String::new();
        if let Some(style) = style {
            props.push_str(&format!("<w:pStyle w:val=\"{style}\"/>"));
        }
        if list {
            props.push_str("<w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr>");
        }
        let props = if props.is_empty() {
            props
        } else {
            format!("<w:pPr>{props}</w:pPr>")
        };
        // Two runs, as Word writes a paragraph edited twice.
        let split = text.find(' ').unwrap_or(0);
        format!(
            "<w:p>{props}<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
            escape(&text[..split]),
            escape(&text[split..])
        )
    }
    let mut body = para(Some("Title"), false, &doc.title);
    for block in &doc.blocks {
        match block {
            Block::Heading(level, h) => {
                body.push_str(&para(Some(&format!("Heading{level}")), false, h))
            }
            Block::Paragraph(p) => body.push_str(&para(None, false, p)),
            Block::List(items) => {
                for item in items {
                    body.push_str(&para(Some("ListParagraph"), true, item));
                }
            }
            Block::Table(rows) => {
                body.push_str("<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"2500\"/><w:gridCol w:w=\"2500\"/><w:gridCol w:w=\"4000\"/></w:tblGrid>");
                for row in rows {
                    body.push_str("<w:tr>");
                    for cell in row {
                        body.push_str(&format!(
                            "<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr>{}</w:tc>",
                            para(None, false, cell)
                        ));
                    }
                    body.push_str("</w:tr>");
                }
                body.push_str("</w:tbl>");
            }
        }
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:body>{body}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/></w:sectPr></w:body></w:document>"
    );
    let mut styles = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"{W}\">\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>\
         <w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/></w:style>\
         <w:style w:type=\"paragraph\" w:styleId=\"ListParagraph\"><w:name w:val=\"List Paragraph\"/><w:basedOn w:val=\"Normal\"/></w:style>\
         <w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/></w:style>"
    );
    for level in 1..=3 {
        styles.push_str(&format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"Heading{level}\"><w:name w:val=\"heading {level}\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:outlineLvl w:val=\"{}\"/></w:pPr></w:style>",
            level - 1
        ));
    }
    styles.push_str("</w:styles>");
    let numbering = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:numbering xmlns:w=\"{W}\">\
         <w:abstractNum w:abstractNumId=\"0\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"•\"/></w:lvl></w:abstractNum>\
         <w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num></w:numbering>"
    );
    let content_types = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
        <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
        <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
        <Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
        <Override PartName=\"/word/numbering.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml\"/>\
        </Types>";
    let rels = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"{R}/officeDocument\" Target=\"word/document.xml\"/></Relationships>"
    );
    let document_rels = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"{R}/styles\" Target=\"styles.xml\"/>\
         <Relationship Id=\"rId2\" Type=\"{R}/numbering\" Target=\"numbering.xml\"/></Relationships>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in [
        ("[Content_Types].xml", content_types.to_string()),
        ("_rels/.rels", rels),
        ("word/document.xml", document),
        ("word/_rels/document.xml.rels", document_rels),
        ("word/styles.xml", styles),
        ("word/numbering.xml", numbering),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data")
}

fn documents_dir() -> PathBuf {
    data_dir().join("documents")
}

/// Writes the 300 documents (4 in 10 Markdown, 2 HTML, 2 text, 2 `.docx`) in a few sub-folders, once.
fn make_documents(dir: &Path) {
    let marker = dir.join(".complete");
    if std::fs::read_to_string(&marker).is_ok_and(|g| g == GENERATION) {
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    let past = SystemTime::now() - Duration::from_secs(3600);
    for n in 0..DOCUMENTS {
        let doc = make_doc(n);
        let sub = dir.join(["policies", "procedures", "plans", "pages"][n % 4]);
        std::fs::create_dir_all(&sub).unwrap();
        let stem = format!(
            "{:03}-{}",
            n + 1,
            doc.title
                .split(" (")
                .next()
                .unwrap()
                .to_lowercase()
                .replace(' ', "-")
        );
        let (name, bytes) = match n % 10 {
            0..=3 => (format!("{stem}.md"), markdown(&doc).into_bytes()),
            4 | 5 => (format!("{stem}.html"), html(&doc).into_bytes()),
            6 | 7 => (format!("{stem}.txt"), text(&doc).into_bytes()),
            _ => (format!("{stem}.docx"), docx(&doc)),
        };
        let path = sub.join(name);
        std::fs::write(&path, bytes).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(past)
            .unwrap();
    }
    std::fs::write(marker, GENERATION).unwrap();
}

/// A copy of the example library (its answers and its own example documents), whose cache the bench may fill.
fn library_copy() -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for item in std::fs::read_dir(from).unwrap().flatten() {
            let name = item.file_name();
            if name == ".answerbank" {
                continue;
            }
            if item.file_type().unwrap().is_dir() {
                copy(&item.path(), &to.join(&name));
            } else if !to.join(&name).exists() {
                std::fs::copy(item.path(), to.join(&name)).unwrap();
            }
        }
    }
    let to = data_dir().join("documents-library");
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("answer_library"),
        &to,
    );
    to
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Sentences as the passage index counts them (those with a letter).
fn count_sentences(passages: &[documents::Passage]) -> usize {
    passages
        .iter()
        .map(|p| {
            documents::sentences(&p.text)
                .into_iter()
                .filter(|r| p.text[r.clone()].chars().any(char::is_alphabetic))
                .count()
        })
        .sum()
}

/// Reading and indexing without a model, in this process: prints a JSON line.
fn run_read_case() {
    let dir = documents_dir();
    let cache = data_dir().join("documents-cache");
    let _ = std::fs::remove_dir_all(&cache);
    let library = library_copy();
    let index = LibraryIndex::open(&library).unwrap();
    let paths = vec![dir];

    let started = Instant::now();
    let cold = documents::read(&paths, Some(&cache));
    let cold_ms = ms(started.elapsed());
    assert!(cold.problems.is_empty(), "{:?}", cold.problems);
    assert_eq!((cold.files, cold.reread), (DOCUMENTS, DOCUMENTS));
    let started = Instant::now();
    let no_cache = documents::read(&paths, None);
    let parse_ms = ms(started.elapsed());
    assert_eq!(no_cache.passages, cold.passages);

    let mut warm = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let read = documents::read(&paths, Some(&cache));
        warm.push(ms(started.elapsed()));
        assert_eq!(
            read.reread, 0,
            "nothing changed, yet documents were parsed again"
        );
        assert_eq!(read.passages, cold.passages);
    }

    let started = Instant::now();
    let passages = PassageIndex::new(&cold.passages, index.analyzer(), None).unwrap();
    let index_ms = ms(started.elapsed());
    let started = Instant::now();
    let suggested = passages.suggest("Do you review access to production databases?", None);
    let suggest_ms = ms(started.elapsed());
    assert!(!suggested.is_empty());
    println!(
        "{{\"files\":{},\"passages\":{},\"sentences\":{},\"text_mb\":{:.2},\"cold_ms\":{cold_ms:.0},\"parse_ms\":{parse_ms:.0},\"warm_ms\":{:.1},\"warm_best_ms\":{:.1},\"index_ms\":{index_ms:.0},\"suggest_ms\":{suggest_ms:.1},\"peak_mb\":{:.0}}}",
        cold.files,
        cold.passages.len(),
        count_sentences(&cold.passages),
        cold.passages.iter().map(|p| p.text.len()).sum::<usize>() as f64 / 1e6,
        warm[0],
        warm.iter().copied().fold(f64::INFINITY, f64::min),
        peak_rss_mb()
    );
}

/// The documents `draft` reads in the model cases: the example library's own and the 300.
fn draft_document_paths(library: &Path) -> Vec<PathBuf> {
    vec![library.join("documents"), documents_dir()]
}

/// With a model, in this process: the documents' first embedding (when the cache lacks them, or with `--cold`)
/// and `PassageIndex::new` with every vector cached. Prints a JSON line.
fn run_model_case(model: &Path, cold: bool) {
    let library = library_copy();
    let index = LibraryIndex::open(&library).unwrap();
    let semantic = answerbank::matching::semantic::SemanticIndex::open(&index, model).unwrap();
    let read = documents::read(&draft_document_paths(&library), Some(index.cache_dir()));
    let cached = std::fs::read_dir(index.cache_dir())
        .unwrap()
        .flatten()
        .filter(|f| {
            f.file_name()
                .to_string_lossy()
                .starts_with("embeddings-documents-")
        })
        .map(|f| f.path())
        .collect::<Vec<_>>();
    let (mut first_ms, mut embedded) = (-1.0, 0);
    if cold || cached.is_empty() {
        for file in cached {
            std::fs::remove_file(file).unwrap();
        }
        let started = Instant::now();
        let passages =
            PassageIndex::new(&read.passages, index.analyzer(), Some(&semantic)).unwrap();
        first_ms = ms(started.elapsed());
        embedded = passages.embedded_now;
    }
    let mut warm = Vec::new();
    for _ in 0..2 {
        let started = Instant::now();
        let passages =
            PassageIndex::new(&read.passages, index.analyzer(), Some(&semantic)).unwrap();
        warm.push(ms(started.elapsed()));
        assert_eq!(passages.embedded_now, 0, "vectors not cached");
    }
    let started = Instant::now();
    let lexical = PassageIndex::new(&read.passages, index.analyzer(), None).unwrap();
    let lexical_ms = ms(started.elapsed());
    drop(lexical);

    // What `attach_documents` does, on every HECVAT question (a draft asks only those the library leaves open).
    let passages = PassageIndex::new(&read.passages, index.analyzer(), Some(&semantic)).unwrap();
    let file = hecvat().expect("the HECVAT 4.1.4 in ../shared/questionnaires");
    let options = answerbank::questionnaire::ReadOptions::default();
    let (format, bytes) = answerbank::questionnaire::read_input(&file, &options.limits).unwrap();
    let mut workbook =
        answerbank::questionnaire::open_bytes(&file, format, bytes, &options.limits).unwrap();
    let questionnaire = answerbank::questionnaire::read_opened(&mut workbook, &options).unwrap();
    let questions: Vec<&str> = questionnaire
        .questions()
        .map(|q| q.question.as_str())
        .collect();
    let started = Instant::now();
    let vectors = passages.embed_questions(&questions).unwrap().unwrap();
    let embed_questions_ms = ms(started.elapsed());
    let started = Instant::now();
    {
        use rayon::prelude::*;
        let found: Vec<_> = questions
            .par_iter()
            .zip(&vectors)
            .map(|(q, v)| passages.suggest(q, Some(v)))
            .collect();
        assert_eq!(found.len(), questions.len());
    }
    let suggest_ms = ms(started.elapsed());
    println!(
        "{{\"passages\":{},\"sentences\":{},\"first_ms\":{first_ms:.0},\"embedded\":{embedded},\"index_ms\":{:.0},\"index_best_ms\":{:.0},\"lexical_ms\":{lexical_ms:.0},\"questions\":{},\"embed_questions_ms\":{embed_questions_ms:.0},\"suggest_ms\":{suggest_ms:.0},\"peak_mb\":{:.0}}}",
        read.passages.len(),
        count_sentences(&read.passages),
        warm[0],
        warm[0].min(warm[1]),
        questions.len(),
        peak_rss_mb()
    );
}

/// `answerbank draft` of the HECVAT with the library copy and the documents, as a user runs it.
fn draft_command(model: Option<&Path>, out: &Path) -> Command {
    let library = library_copy();
    let mut command = Command::new(env!("CARGO_BIN_EXE_answerbank"));
    command
        .arg("draft")
        .arg(hecvat().unwrap())
        .arg("--library")
        .arg(&library);
    for path in draft_document_paths(&library) {
        command.arg("--docs").arg(path);
    }
    command.arg("--out-dir").arg(out).arg("--force");
    match model {
        Some(model) => command.arg("--model").arg(model),
        None => command.arg("--no-model"),
    };
    command
}

/// One timed `draft` in a child of this process, so the peak memory of the largest child is that draft's. With
/// `new_questions`, the questions' vectors are forgotten first: a questionnaire the library has not met before.
fn run_draft_case(model: Option<&Path>, new_questions: bool) {
    if new_questions {
        let cache = library_copy().join(".answerbank");
        for file in std::fs::read_dir(&cache).unwrap().flatten() {
            if file
                .file_name()
                .to_string_lossy()
                .starts_with("embeddings-questions-")
            {
                std::fs::remove_file(file.path()).unwrap();
            }
        }
    }
    let out = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = draft_command(model, out.path()).output().unwrap();
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("embedded") && !stderr.contains("documents: read"),
        "draft was not warm: {stderr}"
    );
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    println!(
        "{{\"draft_ms\":{:.0},\"cpu_ms\":{:.0},\"peak_mb\":{:.0}}}",
        ms(elapsed),
        (seconds(usage.ru_utime) + seconds(usage.ru_stime)) * 1000.0,
        usage.ru_maxrss as f64 / 1024.0
    );
}

/// The real HECVAT 4.1.4, when `../shared` has it (third-party: never in this repository).
fn hecvat() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/questionnaires/EDUCAUSE_HECVAT_4.1.4_blank.xlsx");
    path.exists().then_some(path)
}

/// Runs one case of this bench in a child process of its own.
fn run_child(args: &[&str]) -> BTreeMap<String, f64> {
    common::run_child(&std::env::current_exe().unwrap(), args)
}

fn main() {
    // SAFETY: the first thing the program does; no other thread exists yet. As the answerbank binary does.
    unsafe { answerbank::semantic::configure_threads() };
    let args: Vec<String> = std::env::args().collect();
    let model = model_arg(&args);
    if args.iter().any(|a| a == "--read-case") {
        run_read_case();
        return;
    }
    if args.iter().any(|a| a == "--model-case") {
        run_model_case(
            &model.expect("--model DIR"),
            args.iter().any(|a| a == "--cold"),
        );
        return;
    }
    if args.iter().any(|a| a == "--draft-case") {
        run_draft_case(
            model.as_deref(),
            args.iter().any(|a| a == "--new-questions"),
        );
        return;
    }

    let dir = documents_dir();
    make_documents(&dir);
    let mut counts: BTreeMap<&str, (usize, u64)> = BTreeMap::new();
    let mut stack = vec![dir.clone()];
    while let Some(folder) = stack.pop() {
        for item in std::fs::read_dir(folder).unwrap().flatten() {
            let path = item.path();
            if item.file_type().unwrap().is_dir() {
                stack.push(path);
            } else if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
                let kind = match ext {
                    "md" => "Markdown",
                    "html" => "HTML",
                    "txt" => "text",
                    "docx" => ".docx",
                    _ => continue,
                };
                let count = counts.entry(kind).or_default();
                count.0 += 1;
                // Read once, so the cold case measures parsing, not the disk (the files are in the page cache).
                count.1 += std::fs::read(&path).unwrap().len() as u64;
            }
        }
    }
    println!(
        "## Documents: {} (files: {})\n",
        counts
            .iter()
            .map(|(k, (n, _))| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", "),
        counts
            .iter()
            .map(|(k, (_, b))| format!("{k} {:.2} MB", *b as f64 / 1e6))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let v = run_child(&["--read-case"]);
    println!(
        "{} files, {} passages, {} sentences, {:.2} MB of passage text\n",
        v["files"], v["passages"], v["sentences"], v["text_mb"]
    );
    println!("| case | time | goal | peak memory |");
    println!("|---|---:|---:|---:|");
    println!(
        "| read from nothing (empty cache; parse and write the cache) | {:.2} s | < 3 s with indexing | |",
        v["cold_ms"] / 1000.0
    );
    println!(
        "| parse only (no cache) | {:.2} s | | |",
        v["parse_ms"] / 1000.0
    );
    println!(
        "| read, nothing changed (first; best of 3 {:.0} ms) | {:.0} ms | < 100 ms | |",
        v["warm_best_ms"], v["warm_ms"]
    );
    println!(
        "| `PassageIndex::new`, no model | {:.2} s | | |",
        v["index_ms"] / 1000.0
    );
    println!(
        "| **read from nothing + index** | **{:.2} s** | < 3 s | {:.0} MB |",
        (v["cold_ms"] + v["index_ms"]) / 1000.0,
        v["peak_mb"]
    );
    println!(
        "| one `suggest`, no model | {:.1} ms | | |",
        v["suggest_ms"]
    );

    let (Some(model), Some(_)) = (model, hecvat()) else {
        println!(
            "\n(no model: give --model DIR or set ANSWERBANK_TEST_MODEL, with ../shared/questionnaires, for the model cases)"
        );
        return;
    };
    let model = model.to_string_lossy().into_owned();
    let mut model_args = vec!["--model-case", "--model", &model];
    if args.iter().any(|a| a == "--cold") {
        model_args.push("--cold");
    }
    let m = run_child(&model_args);
    // Once untimed, so every cache (index, library and document vectors, passages) is warm, as on a second run.
    let out = tempfile::tempdir().unwrap();
    let warmup = draft_command(Some(Path::new(&model)), out.path())
        .output()
        .unwrap();
    assert!(
        warmup.status.success(),
        "{}",
        String::from_utf8_lossy(&warmup.stderr)
    );
    let d = run_child(&["--draft-case", "--model", &model]);
    let fresh = run_child(&["--draft-case", "--model", &model, "--new-questions"]);
    let plain = {
        let warmup = draft_command(None, out.path()).output().unwrap();
        assert!(warmup.status.success());
        run_child(&["--draft-case"])
    };
    println!(
        "\n## With the model: the example library's documents plus the 300 ({} passages, {} sentences)\n",
        m["passages"], m["sentences"]
    );
    println!("| case | time | goal | peak memory |");
    println!("|---|---:|---:|---:|");
    if m["first_ms"] >= 0.0 {
        println!(
            "| first embedding of the documents (once; {} texts) | {:.1} s | | |",
            m["embedded"],
            m["first_ms"] / 1000.0
        );
    } else {
        println!(
            "| first embedding of the documents | (cached by an earlier run: `--cold` measures it) | | |"
        );
    }
    println!(
        "| `PassageIndex::new`, vectors cached (first; best of 2 {:.2} s) | {:.2} s | | {:.0} MB |",
        m["index_best_ms"] / 1000.0,
        m["index_ms"] / 1000.0,
        m["peak_mb"]
    );
    println!(
        "| of which without the model (sentences, analysis, BM25) | {:.2} s | | |",
        m["lexical_ms"] / 1000.0
    );
    println!(
        "| embed the {} HECVAT questions for the documents (remembered after the first run) | {:.2} s | | |",
        m["questions"],
        m["embed_questions_ms"] / 1000.0
    );
    println!(
        "| `suggest` for each of them (in parallel, as `attach_documents`) | {:.2} s | | |",
        m["suggest_ms"] / 1000.0
    );
    println!(
        "| **`answerbank draft` HECVAT 4.1.4, model, everything cached** (CPU {:.2} s) | **{:.2} s** | < 2 s | {:.0} MB |",
        d["cpu_ms"] / 1000.0,
        d["draft_ms"] / 1000.0,
        d["peak_mb"]
    );
    println!(
        "| `answerbank draft` HECVAT 4.1.4, model, cached but the questions new (CPU {:.2} s) | {:.2} s | | {:.0} MB |",
        fresh["cpu_ms"] / 1000.0,
        fresh["draft_ms"] / 1000.0,
        fresh["peak_mb"]
    );
    println!(
        "| `answerbank draft` HECVAT 4.1.4, `--no-model`, cached (CPU {:.2} s) | {:.2} s | | {:.0} MB |",
        plain["cpu_ms"] / 1000.0,
        plain["draft_ms"] / 1000.0,
        plain["peak_mb"]
    );
}
