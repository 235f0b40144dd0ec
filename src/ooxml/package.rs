//! An Office Open XML package (`.xlsx`, `.xlsm`) read defensively: the zip, its parts, and which part is which
//! sheet.
//!
//! In: the bytes of an untrusted file. Out: a [`Package`] whose every part has been checked against explicit
//! limits *by decompressing it*, not by trusting the sizes the zip declares, so a zip bomb, a path-traversal name,
//! a duplicate entry, an encrypted entry or an XML part with a DOCTYPE (entity expansion, external entities) is
//! refused before calamine or the writer ever sees it (see #7). Both the questionnaire reader and the in-place
//! writer start from here, so they agree on which part is which sheet.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};
use std::sync::Arc;

use quick_xml::events::Event;
use zip::result::ZipError;

use super::{Limits, OoxmlError, attr, local_name};

/// One sheet of the workbook as `xl/workbook.xml` lists it, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetEntry {
    pub name: String,
    /// The zip entry of the worksheet (`xl/worksheets/sheet2.xml`); `None` for chartsheets and dialogs, or a
    /// relationship that points nowhere.
    pub part: Option<String>,
    /// `state="hidden"` or `"veryHidden"`.
    pub hidden: bool,
}

/// A checked package: its zip bytes, the names of its parts in order, and its sheets.
pub struct Package {
    /// Shared, not copied, with calamine's reader of the same file.
    bytes: Arc<[u8]>,
    names: Vec<String>,
    sheets: Vec<SheetEntry>,
    /// Defined names (`<definedName>`) without a `localSheetId`, for data-validation lists that use them.
    defined_names: HashMap<String, String>,
    limits: Limits,
}

impl std::fmt::Debug for Package {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Package")
            .field("parts", &self.names.len())
            .field("sheets", &self.sheets)
            .finish()
    }
}

impl Package {
    /// Checks the zip and reads the workbook's sheet list.
    pub fn open(bytes: impl Into<Arc<[u8]>>, limits: Limits) -> Result<Package, OoxmlError> {
        let bytes = bytes.into();
        let names = check_zip(&bytes, &limits)?;
        let mut package = Package {
            bytes,
            names,
            sheets: Vec::new(),
            defined_names: HashMap::new(),
            limits,
        };
        package.read_workbook()?;
        package.check_shared_strings()?;
        Ok(package)
    }

    /// Runs the zip checks alone, for zip-based formats answerbank reads but does not parse as OOXML
    /// (`.xlsb`, `.ods`); returns the entry names in zip order.
    pub fn check_only(bytes: &[u8], limits: &Limits) -> Result<Vec<String>, OoxmlError> {
        check_zip(bytes, limits)
    }

    /// The original bytes (copied part by part by the writer).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The original bytes as a shared handle, for a second reader of the same file (calamine) without a copy.
    pub fn shared_bytes(&self) -> Arc<[u8]> {
        Arc::clone(&self.bytes)
    }

    /// Entry names in zip order.
    pub fn part_names(&self) -> &[String] {
        &self.names
    }

    pub fn sheets(&self) -> &[SheetEntry] {
        &self.sheets
    }

    pub fn sheet(&self, name: &str) -> Option<&SheetEntry> {
        self.sheets.iter().find(|s| s.name == name)
    }

    pub fn defined_name(&self, name: &str) -> Option<&str> {
        self.defined_names
            .get(&name.to_lowercase())
            .map(String::as_str)
    }

    pub fn has_part(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// Reads one part, decompressed, within the limits (checked again: the bytes are the same, the cost small).
    pub fn read_part(&self, name: &str) -> Result<Vec<u8>, OoxmlError> {
        read_checked_part(&self.bytes, name, &self.limits)
    }

    /// `xl/workbook.xml` (found through `_rels/.rels`) and its relationships → the sheets in order.
    fn read_workbook(&mut self) -> Result<(), OoxmlError> {
        let mut documents: Vec<String> = self
            .relationship_targets("_rels/.rels", "")?
            .into_iter()
            .filter(|(_, kind, _)| kind.ends_with("/officeDocument"))
            .map(|(_, _, target)| target)
            .collect();
        // calamine takes the last one named and this reader the first: two would have them read different
        // workbooks, and calamine parts that were never checked (#29).
        if documents.len() > 1 {
            return Err(OoxmlError::Corrupt {
                part: "_rels/.rels".to_string(),
                message: "it names more than one workbook part".to_string(),
            });
        }
        let workbook_part = documents
            .pop()
            .unwrap_or_else(|| "xl/workbook.xml".to_string());
        if !self.has_part(&workbook_part) {
            return Err(OoxmlError::NotAWorkbook(
                "it has no workbook part".to_string(),
            ));
        }
        let rels_part = rels_part_of(&workbook_part);
        let base = workbook_part
            .rsplit_once('/')
            .map_or("", |(dir, _)| dir)
            .to_string();
        let targets: HashMap<String, String> = if self.has_part(&rels_part) {
            self.relationship_targets(&rels_part, &base)?
                .into_iter()
                .filter(|(_, kind, _)| kind.ends_with("/worksheet"))
                .map(|(id, _, target)| (id, target))
                .collect()
        } else {
            HashMap::new()
        };
        let xml = self.read_part(&workbook_part)?;
        let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
        let mut defined: Option<String> = None;
        let mut defined_text = String::new();
        loop {
            match reader
                .read_event()
                .map_err(|e| OoxmlError::xml(&workbook_part, e))?
            {
                Event::Start(e) | Event::Empty(e) if local_name(e.name().as_ref()) == "sheet" => {
                    let name = attr(&e, "name").unwrap_or_default();
                    let state = attr(&e, "state").unwrap_or_default();
                    let id = attr(&e, "id");
                    let part = id
                        .and_then(|id| targets.get(&id).cloned())
                        .filter(|p| self.has_part(p));
                    self.sheets.push(SheetEntry {
                        name,
                        part,
                        hidden: state == "hidden" || state == "veryHidden",
                    });
                }
                Event::Start(e) if local_name(e.name().as_ref()) == "definedName" => {
                    defined = (attr(&e, "localSheetId").is_none())
                        .then(|| attr(&e, "name"))
                        .flatten();
                    defined_text.clear();
                }
                Event::Text(t) if defined.is_some() => {
                    defined_text.push_str(&t.xml10_content());
                }
                Event::GeneralRef(r) if defined.is_some() => {
                    defined_text.push_str(&super::resolve_entity(&r, &workbook_part)?);
                }
                Event::End(e) if local_name(e.name().as_ref()) == "definedName" => {
                    if let Some(name) = defined.take() {
                        self.defined_names
                            .insert(name.to_lowercase(), defined_text.clone());
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if self.sheets.is_empty() {
            return Err(OoxmlError::NotAWorkbook(
                "its workbook lists no sheets".to_string(),
            ));
        }
        Ok(())
    }

    /// Checks every shared-strings table before calamine loads one: how many entries it holds, and how many its
    /// `<sst>` declares (`uniqueCount`, which calamine reserves room for before reading any, and `count`). A 2 KB
    /// workbook declaring 2^60 entries made calamine panic, one declaring 4,294,967,295 abort on a 48 GB
    /// allocation (#29). calamine reads `sharedStrings.xml` beside whichever workbook part it finds, in any case,
    /// so every part of that name is checked.
    fn check_shared_strings(&self) -> Result<(), OoxmlError> {
        let tables = self
            .names
            .iter()
            .filter(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"));
        for name in tables {
            let mut archive = archive(&self.bytes)?;
            let part = archive
                .by_name(name)
                .map_err(|_| OoxmlError::MissingPart(name.clone()))?;
            let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
            let mut buf = Vec::new();
            let mut entries: usize = 0;
            loop {
                match reader
                    .read_event_into(&mut buf)
                    .map_err(|e| OoxmlError::xml(name, e))?
                {
                    Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                        "si" => entries += 1,
                        "sst" => {
                            for count in ["uniqueCount", "count"] {
                                if let Some(declared) = declared_count(&e, count)
                                    && declared > self.limits.max_shared_strings as u128
                                {
                                    return Err(OoxmlError::Limit(format!(
                                        "its shared-strings table declares {declared} entries (the limit is {})",
                                        self.limits.max_shared_strings
                                    )));
                                }
                            }
                        }
                        _ => {}
                    },
                    Event::Eof => break,
                    _ => {}
                }
                if entries > self.limits.max_shared_strings {
                    return Err(OoxmlError::Limit(format!(
                        "its shared-strings table has more than {} entries (the limit)",
                        self.limits.max_shared_strings
                    )));
                }
                buf.clear();
            }
        }
        Ok(())
    }

    /// (Id, Type, resolved target) of every relationship in a `.rels` part.
    fn relationship_targets(
        &self,
        rels: &str,
        base: &str,
    ) -> Result<Vec<(String, String, String)>, OoxmlError> {
        if !self.has_part(rels) {
            return Ok(Vec::new());
        }
        let xml = self.read_part(rels)?;
        let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
        let mut out = Vec::new();
        loop {
            match reader.read_event().map_err(|e| OoxmlError::xml(rels, e))? {
                Event::Start(e) | Event::Empty(e)
                    if local_name(e.name().as_ref()) == "Relationship" =>
                {
                    if attr(&e, "TargetMode").as_deref() == Some("External") {
                        continue;
                    }
                    let (Some(id), Some(kind), Some(target)) =
                        (attr(&e, "Id"), attr(&e, "Type"), attr(&e, "Target"))
                    else {
                        continue;
                    };
                    out.push((id, kind, resolve_target(base, &target)));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(out)
    }
}

/// A count attribute as calamine reads it (decimal digits, leading zeros allowed; anything else it ignores), found
/// by local name; too long for any integer type is as large as can be.
fn declared_count(element: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<u128> {
    let attribute = element
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)?;
    let digits = attribute.value.as_bytes();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let significant = &digits[digits.iter().take_while(|&&d| d == b'0').count()..];
    if significant.len() > 30 {
        return Some(u128::MAX);
    }
    Some(
        significant
            .iter()
            .fold(0u128, |n, d| n * 10 + u128::from(d - b'0')),
    )
}

/// `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`.
pub fn rels_part_of(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// Resolves a relationship target against the folder of its source part (`worksheets/sheet1.xml` from `xl`,
/// `/xl/worksheets/sheet1.xml` absolute, `../x` relative).
pub fn resolve_target(base: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for segment in target.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Reads one part of a zip that passed [`Package::check_only`], decompressed, within the part limit: for other
/// zip-and-XML formats (the `.docx` documents of `documents/`) that need the same checks but no workbook.
pub fn read_checked_part(bytes: &[u8], name: &str, limits: &Limits) -> Result<Vec<u8>, OoxmlError> {
    let mut archive = archive(bytes)?;
    let file = archive
        .by_name(name)
        .map_err(|_| OoxmlError::MissingPart(name.to_string()))?;
    read_bounded(file, name, limits)
}

fn archive(bytes: &[u8]) -> Result<zip::ZipArchive<Cursor<&[u8]>>, OoxmlError> {
    zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| OoxmlError::BadZip(e.to_string()))
}

/// Checks every entry of the zip and returns the names in order.
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<Vec<String>, OoxmlError> {
    let mut archive = archive(bytes)?;
    if archive.len() > limits.max_parts {
        return Err(OoxmlError::Limit(format!(
            "it holds {} zip entries (the limit is {})",
            archive.len(),
            limits.max_parts
        )));
    }
    let mut names = Vec::with_capacity(archive.len());
    let mut seen = HashSet::new();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        // An encrypted entry is refused by the zip crate's own error for it: no password is ever given, so the
        // crate asks for one before it reads anything.
        let file = archive.by_index(index).map_err(|e| match e {
            ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED) => OoxmlError::Encrypted,
            other => OoxmlError::BadZip(other.to_string()),
        })?;
        let name = file
            .name()
            .map_err(|e| OoxmlError::BadZip(e.to_string()))?
            .to_string();
        if file.encrypted() {
            return Err(OoxmlError::Encrypted);
        }
        if name.contains("..") || name.starts_with('/') || name.contains('\\') || name.contains(':')
        {
            return Err(OoxmlError::UnsafeName(name));
        }
        if !seen.insert(name.to_ascii_lowercase()) {
            return Err(OoxmlError::DuplicatePart(name));
        }
        if file.is_dir() {
            names.push(name);
            continue;
        }
        total = total.saturating_add(file.size());
        if file.size() > limits.max_part_bytes {
            return Err(limits.part_too_large(&name));
        }
        if total > limits.max_total_bytes {
            return Err(OoxmlError::Limit(format!(
                "its parts unpack to more than {} MB together (a zip bomb?)",
                limits.max_total_bytes / 1_000_000
            )));
        }
        // Parts are decompressed here once, into nothing, to check that what the zip says is true.
        check_part(file, &name, may_be_parsed_as_xml(&name), limits)?;
        names.push(name);
    }
    Ok(names)
}

/// Decompresses one entry without keeping it, enforcing the size limit and refusing DOCTYPEs in XML.
fn check_part<R: Read>(
    mut file: zip::read::ZipFile<'_, R>,
    name: &str,
    is_xml: bool,
    limits: &Limits,
) -> Result<(), OoxmlError> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut total: u64 = 0;
    // The tail of the previous chunk, so a `<!DOCTYPE` split across two reads is still seen.
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| OoxmlError::corrupt_part(name, &e))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > limits.max_part_bytes {
            return Err(limits.part_too_large(name));
        }
        if is_xml {
            carry.extend_from_slice(&buf[..n]);
            if contains_doctype(&carry) {
                return Err(OoxmlError::Doctype(name.to_string()));
            }
            let keep = carry.len().saturating_sub(16);
            carry.drain(..keep);
        }
    }
    Ok(())
}

/// Whether a part could reach an XML parser. A relationship may point at a part of any name (`sheet1.XML`,
/// `sheet1.dat`), so every part is checked for a DOCTYPE except images and other binary blobs, which no reader
/// parses as XML.
fn may_be_parsed_as_xml(name: &str) -> bool {
    const BINARY: [&str; 11] = [
        "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "emf", "wmf", "bin", "wdp",
    ];
    let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
    !BINARY.iter().any(|b| extension.eq_ignore_ascii_case(b))
}

fn contains_doctype(bytes: &[u8]) -> bool {
    bytes
        .windows(9)
        .any(|w| w.eq_ignore_ascii_case(b"<!DOCTYPE"))
}

/// Reads one entry fully, within the part limit.
fn read_bounded<R: Read>(
    file: zip::read::ZipFile<'_, R>,
    name: &str,
    limits: &Limits,
) -> Result<Vec<u8>, OoxmlError> {
    let declared = file.size();
    let mut out =
        Vec::with_capacity(declared.min(limits.max_part_bytes).min(64 * 1024 * 1024) as usize);
    let read = file
        .take(limits.max_part_bytes + 1)
        .read_to_end(&mut out)
        .map_err(|e| OoxmlError::corrupt_part(name, &e))?;
    if read as u64 > limits.max_part_bytes {
        return Err(limits.part_too_large(name));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_like_opc_says() {
        assert_eq!(
            resolve_target("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve_target("xl", "/xl/worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve_target("xl/worksheets", "../drawings/d1.xml"),
            "xl/drawings/d1.xml"
        );
        assert_eq!(resolve_target("", "xl/workbook.xml"), "xl/workbook.xml");
        assert_eq!(
            rels_part_of("xl/workbook.xml"),
            "xl/_rels/workbook.xml.rels"
        );
    }

    #[test]
    fn doctype_is_found_in_any_case() {
        assert!(contains_doctype(
            b"<?xml version=\"1.0\"?><!doctype lolz [<!ENTITY lol \"lol\">]>"
        ));
        assert!(!contains_doctype(b"<worksheet/>"));
    }

    #[test]
    fn a_doctype_is_refused_whatever_the_part_is_called() {
        use std::io::Write;
        let doctype = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><worksheet/>"#;
        for name in [
            "xl/worksheets/sheet1.XML",
            "xl/worksheets/sheet1.dat",
            "xl/_rels/x.RELS",
        ] {
            let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(doctype).unwrap();
            let bytes = zip.finish().unwrap().into_inner();
            assert!(
                matches!(check_zip(&bytes, &Limits::default()), Err(OoxmlError::Doctype(part)) if part == name),
                "{name}"
            );
        }
        assert!(may_be_parsed_as_xml("xl/worksheets/sheet1.xml"));
        assert!(!may_be_parsed_as_xml("xl/media/image1.PNG"));
        assert!(!may_be_parsed_as_xml("xl/vbaProject.bin"));
    }

    #[test]
    fn an_encrypted_entry_is_refused_as_encrypted() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("xl/workbook.xml", stored).unwrap();
        zip.write_all(b"<workbook/>").unwrap();
        let mut bytes = zip.finish().unwrap().into_inner();
        // Set the "encrypted" flag (bit 0 of the general purpose flags) in the local and the central header.
        let local = bytes.windows(4).position(|w| w == b"PK\x03\x04").unwrap();
        bytes[local + 6] |= 1;
        let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        bytes[central + 8] |= 1;
        assert!(matches!(
            check_zip(&bytes, &Limits::default()),
            Err(OoxmlError::Encrypted)
        ));
    }
}
