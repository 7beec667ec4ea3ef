//! Documents: their kinds, the file types accepted, and how a type is recognised from
//! the **content** (magic bytes, the first entry of a zip), never from the name or the
//! `Content-Type` a client claims.
//!
//! [`Sniffer`] is fed the bytes as they arrive, so the server decides while streaming;
//! the browser can run the same rule on a file before sending it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// What a document is.
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentKind {
    /// *Form di conformità* (its documents depend on modality A or B).
    ConformityForm,
    /// The supplier contract.
    Contract,
    /// *Domanda di erogazione*.
    PaymentRequest,
    /// *Certificato di regolare esecuzione*.
    Cre,
    /// Evidence of a migrated service (screenshots, test reports), also from suppliers.
    Evidence,
    /// Anything else.
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::ConformityForm,
        DocumentKind::Contract,
        DocumentKind::PaymentRequest,
        DocumentKind::Cre,
        DocumentKind::Evidence,
        DocumentKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::ConformityForm => "CONFORMITY_FORM",
            DocumentKind::Contract => "CONTRACT",
            DocumentKind::PaymentRequest => "PAYMENT_REQUEST",
            DocumentKind::Cre => "CRE",
            DocumentKind::Evidence => "EVIDENCE",
            DocumentKind::Other => "OTHER",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|k| k.code().eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| {
                ParseError::new(
                    "document kind",
                    input,
                    "expected CONFORMITY_FORM, CONTRACT, PAYMENT_REQUEST, CRE, EVIDENCE or OTHER",
                )
            })
    }

    /// Italian label for people.
    pub fn label_it(self) -> &'static str {
        match self {
            DocumentKind::ConformityForm => "Form di conformità",
            DocumentKind::Contract => "Contratto",
            DocumentKind::PaymentRequest => "Domanda di erogazione",
            DocumentKind::Cre => "Certificato di regolare esecuzione",
            DocumentKind::Evidence => "Evidenza",
            DocumentKind::Other => "Altro",
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The file types accepted, as recognised from their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FileType {
    Pdf,
    Png,
    Jpeg,
    /// OpenDocument text (a zip whose first entry `mimetype` says so).
    Odt,
    /// OpenDocument spreadsheet.
    Ods,
    /// Office Open XML word-processing document.
    Docx,
    /// Office Open XML spreadsheet.
    Xlsx,
    /// UTF-8 text without NUL bytes (CSV included).
    Text,
}

impl FileType {
    pub const ALL: [FileType; 8] = [
        FileType::Pdf,
        FileType::Png,
        FileType::Jpeg,
        FileType::Odt,
        FileType::Ods,
        FileType::Docx,
        FileType::Xlsx,
        FileType::Text,
    ];

    /// The media type the file is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
            FileType::Odt => "application/vnd.oasis.opendocument.text",
            FileType::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Text => "text/plain; charset=utf-8",
        }
    }

    /// The file-name extensions that belong to this type (the first is the usual one).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Png => &["png"],
            FileType::Jpeg => &["jpg", "jpeg"],
            FileType::Odt => &["odt"],
            FileType::Ods => &["ods"],
            FileType::Docx => &["docx"],
            FileType::Xlsx => &["xlsx"],
            FileType::Text => &["txt", "csv", "tsv"],
        }
    }

    /// A description for messages.
    pub fn describe(self) -> &'static str {
        match self {
            FileType::Pdf => "a PDF document",
            FileType::Png => "a PNG image",
            FileType::Jpeg => "a JPEG image",
            FileType::Odt => "an OpenDocument text",
            FileType::Ods => "an OpenDocument spreadsheet",
            FileType::Docx => "a Word document (DOCX)",
            FileType::Xlsx => "an Excel spreadsheet (XLSX)",
            FileType::Text => "plain text",
        }
    }

    /// The type a file name's extension claims, if it is one of the accepted ones.
    pub fn claimed_by_name(name: &str) -> Option<FileType> {
        let ext = extension(name)?.to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|t| t.extensions().contains(&ext.as_str()))
    }

    /// The type a `Content-Type` header claims, if it is one of the accepted ones.
    pub fn claimed_by_media_type(media_type: &str) -> Option<FileType> {
        let essence = media_type.split(';').next().unwrap_or_default().trim();
        if essence.eq_ignore_ascii_case("text/csv") || essence.eq_ignore_ascii_case("image/jpg") {
            return Some(if essence.starts_with("text") {
                FileType::Text
            } else {
                FileType::Jpeg
            });
        }
        Self::ALL.into_iter().find(|t| {
            t.content_type()
                .split(';')
                .next()
                .is_some_and(|c| c.eq_ignore_ascii_case(essence))
        })
    }

    /// Refuses a file whose name or declared media type claims another accepted type
    /// than its content (a text file named `.pdf`). Claims of unknown types are not lies
    /// the server can prove; [`download_name`] gives such files their true extension.
    pub fn check_claims(self, name: &str, media_type: Option<&str>) -> Result<(), String> {
        if let Some(claimed) = Self::claimed_by_name(name).filter(|c| *c != self) {
            return Err(format!(
                "the file is named as {} but its content is {}",
                claimed.describe(),
                self.describe()
            ));
        }
        if let Some(claimed) = media_type
            .and_then(Self::claimed_by_media_type)
            .filter(|c| *c != self)
        {
            return Err(format!(
                "the file is sent as {} but its content is {}",
                claimed.describe(),
                self.describe()
            ));
        }
        Ok(())
    }
}

/// A short list of what is accepted, for messages.
pub const ACCEPTED_TYPES: &str =
    "PDF, PNG, JPEG, OpenDocument (ODT, ODS), Office Open XML (DOCX, XLSX) or UTF-8 text (TXT, CSV)";

/// The extension of the last component of a name, if any.
fn extension(name: &str) -> Option<&str> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let (stem, ext) = base.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then_some(ext)
}

/// The longest file name kept, in characters.
pub const MAX_FILE_NAME: usize = 200;

/// Checks the name a client gives a file. It is only ever metadata (never a path), so
/// almost anything goes; control characters and empty names do not.
pub fn parse_file_name(input: &str) -> Result<String, ParseError> {
    let name = input.trim();
    if name.is_empty() {
        return Err(ParseError::new("file name", input, "is empty"));
    }
    if name.chars().count() > MAX_FILE_NAME {
        return Err(ParseError::new(
            "file name",
            input,
            format!("is longer than {MAX_FILE_NAME} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ParseError::new(
            "file name",
            input,
            "contains control characters",
        ));
    }
    Ok(name.to_owned())
}

/// The name a stored file is downloaded under: the last component of the uploaded
/// name, without characters that mean something to a shell or a file system, ending
/// with the extension of its true type.
pub fn download_name(uploaded: &str, file_type: FileType) -> String {
    let base = uploaded.rsplit(['/', '\\']).next().unwrap_or(uploaded);
    let mut clean: String = base
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '"' | '\'' | ':' | '*' | '?' | '<' | '>' | '|' | ';') {
                '_'
            } else {
                c
            }
        })
        .collect();
    clean = clean
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_owned();
    if clean.is_empty() {
        clean = "documento".to_owned();
    }
    let has_true_extension = extension(&clean).is_some_and(|e| {
        file_type
            .extensions()
            .contains(&e.to_ascii_lowercase().as_str())
    });
    if !has_true_extension {
        clean.push('.');
        clean.push_str(file_type.extensions()[0]);
    }
    clean
}

/// How many leading bytes [`Sniffer`] keeps to decide.
const HEAD_LEN: usize = 4096;
/// Names whose presence anywhere in a zip (its central directory is uncompressed)
/// tells a Word document from a spreadsheet.
const DOCX_PART: &[u8] = b"word/document.xml";
const XLSX_PART: &[u8] = b"xl/workbook.xml";
const OOXML_TYPES: &[u8] = b"[Content_Types].xml";

/// Recognises a file's type from its content, fed in chunks as they arrive.
#[derive(Debug, Clone, Default)]
pub struct Sniffer {
    head: Vec<u8>,
    len: u64,
    /// Still valid UTF-8 without NUL so far.
    text: bool,
    /// The bytes of an incomplete UTF-8 sequence at the end of the last chunk.
    carry: Vec<u8>,
    /// The last bytes of the previous chunk, to find names across chunk boundaries.
    window: Vec<u8>,
    seen_docx: bool,
    seen_xlsx: bool,
    seen_ooxml_types: bool,
}

/// Why the content is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SniffError {
    #[error("the file is empty")]
    Empty,
    #[error("{0}")]
    NotAccepted(String),
}

impl Sniffer {
    pub fn new() -> Self {
        Self {
            text: true,
            ..Self::default()
        }
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        if chunk.is_empty() {
            return;
        }
        self.len += chunk.len() as u64;
        if self.head.len() < HEAD_LEN {
            let take = (HEAD_LEN - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        if self.text {
            self.feed_text(chunk);
        }
        if self.head.starts_with(b"PK\x03\x04") {
            let mut joined = std::mem::take(&mut self.window);
            joined.extend_from_slice(chunk);
            self.seen_docx |= contains(&joined, DOCX_PART);
            self.seen_xlsx |= contains(&joined, XLSX_PART);
            self.seen_ooxml_types |= contains(&joined, OOXML_TYPES);
            let keep = OOXML_TYPES.len().min(joined.len());
            self.window = joined[joined.len() - keep..].to_vec();
        }
    }

    fn feed_text(&mut self, chunk: &[u8]) {
        if chunk.contains(&0) {
            self.text = false;
            return;
        }
        let mut bytes = std::mem::take(&mut self.carry);
        bytes.extend_from_slice(chunk);
        match std::str::from_utf8(&bytes) {
            Ok(_) => {}
            // An incomplete sequence at the very end may complete in the next chunk.
            Err(e) if e.error_len().is_none() => {
                self.carry = bytes[e.valid_up_to()..].to_vec();
            }
            Err(_) => self.text = false,
        }
    }

    /// The bytes seen so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The type of the whole content, once every chunk was fed.
    pub fn finish(&self) -> Result<FileType, SniffError> {
        let head = self.head.as_slice();
        if head.is_empty() {
            return Err(SniffError::Empty);
        }
        if head.starts_with(b"%PDF-") {
            return Ok(FileType::Pdf);
        }
        if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Ok(FileType::Png);
        }
        if head.starts_with(b"\xFF\xD8\xFF") {
            return Ok(FileType::Jpeg);
        }
        if head.starts_with(b"PK\x03\x04") {
            return self.zip_type();
        }
        if self.text && self.carry.is_empty() {
            return Ok(FileType::Text);
        }
        Err(SniffError::NotAccepted(format!(
            "the content is not of an accepted type: send {ACCEPTED_TYPES}"
        )))
    }

    /// An office document is a zip: OpenDocument says what it is in its first entry,
    /// `mimetype`, stored uncompressed; Office Open XML starts with its parts list and
    /// names its main part.
    fn zip_type(&self) -> Result<FileType, SniffError> {
        let refuse = |what: &str| {
            SniffError::NotAccepted(format!(
                "the content is {what}: of zip archives only OpenDocument and Office Open XML documents (ODT, ODS, DOCX, XLSX) are accepted"
            ))
        };
        let head = self.head.as_slice();
        let u16_at = |at: usize| {
            head.get(at..at + 2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
        };
        let u32_at = |at: usize| {
            head.get(at..at + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        };
        let (Some(method), Some(size), Some(name_len), Some(extra_len)) =
            (u16_at(8), u32_at(18), u16_at(26), u16_at(28))
        else {
            return Err(refuse("a truncated zip archive"));
        };
        let Some(name) = head.get(30..30 + name_len) else {
            return Err(refuse("a zip archive with an unreadable first entry"));
        };
        if name == b"mimetype" {
            let start = 30 + name_len + extra_len;
            let mimetype = (method == 0)
                .then(|| head.get(start..start + size))
                .flatten();
            return match mimetype {
                Some(b"application/vnd.oasis.opendocument.text") => Ok(FileType::Odt),
                Some(b"application/vnd.oasis.opendocument.spreadsheet") => Ok(FileType::Ods),
                _ => Err(refuse("an OpenDocument of another kind")),
            };
        }
        let ooxml_first = name == OOXML_TYPES
            || [
                &b"_rels/"[..],
                b"docProps/",
                b"word/",
                b"xl/",
                b"customXml/",
            ]
            .iter()
            .any(|p| name.starts_with(p));
        if ooxml_first && self.seen_ooxml_types {
            match (self.seen_docx, self.seen_xlsx) {
                (true, false) => return Ok(FileType::Docx),
                (false, true) => return Ok(FileType::Xlsx),
                _ => {}
            }
        }
        Err(refuse("a zip archive that is not an office document"))
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Recognises a whole file at once.
pub fn sniff(bytes: &[u8]) -> Result<FileType, SniffError> {
    let mut s = Sniffer::new();
    s.feed(bytes);
    s.finish()
}

/// What a document may already be used for. A used document is part of a record that
/// others rely on (a verifier's check, a migrated service's proof) and stays; an unused
/// one can be removed by whoever may upload it, e.g. a wrong file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentUse {
    /// It came with an answer to a verification request (the request is no longer open).
    Answer,
    /// It is the evidence of a planned service that is now migrated.
    Evidence,
    /// A version of a supplier contract names it as the contract's document.
    Contract,
    /// The project's completion was declared (or the project ended): its documents are
    /// what the verification and the record rest on (except those attached to a request
    /// still open, which no answer carries yet).
    Record,
}

impl DocumentUse {
    pub fn code(self) -> &'static str {
        match self {
            Self::Answer => "ANSWER",
            Self::Evidence => "EVIDENCE",
            Self::Contract => "CONTRACT",
            Self::Record => "RECORD",
        }
    }

    /// Why a document so used cannot be removed (English, for logs and API clients;
    /// the browser words it from [`Self::code`]).
    pub fn reason(self) -> &'static str {
        match self {
            Self::Answer => {
                "the document came with an answer to a verification request: it stays with the answer"
            }
            Self::Evidence => {
                "the document is the evidence of a migrated service: it stays as its proof"
            }
            Self::Contract => {
                "the document is a recorded contract's document: it stays with the contract (a correction may name another)"
            }
            Self::Record => {
                "the project's completion has been declared: its documents stay for the verification and the record"
            }
        }
    }
}

/// The facts about a document that decide whether it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DocumentFacts {
    /// It is attached to a verification request that is no longer OPEN.
    pub answered_request: bool,
    /// It is attached to a verification request that is still OPEN: not yet part of an
    /// answer, whatever the project's state (requests are open during verification).
    pub open_request: bool,
    /// It is attached to a planned service that is MIGRATED.
    pub migrated_service: bool,
    /// A version of a supplier contract names it.
    pub in_contract: bool,
    /// Its project has left the states before completion (COMPLETED or later, or a
    /// final state).
    pub project_past_completion: bool,
}

/// The first use that keeps a document, or `Ok` when it may be removed.
pub fn check_removable(facts: DocumentFacts) -> Result<(), DocumentUse> {
    if facts.answered_request {
        Err(DocumentUse::Answer)
    } else if facts.migrated_service {
        Err(DocumentUse::Evidence)
    } else if facts.in_contract {
        Err(DocumentUse::Contract)
    } else if facts.project_past_completion && !facts.open_request {
        Err(DocumentUse::Record)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod removal_tests {
    use super::*;

    #[test]
    fn an_unused_document_may_be_removed_and_a_used_one_says_why_not() {
        assert_eq!(check_removable(DocumentFacts::default()), Ok(()));
        let answered = DocumentFacts {
            answered_request: true,
            project_past_completion: true,
            ..Default::default()
        };
        assert_eq!(check_removable(answered), Err(DocumentUse::Answer));
        let evidence = DocumentFacts {
            migrated_service: true,
            ..Default::default()
        };
        assert_eq!(check_removable(evidence), Err(DocumentUse::Evidence));
        let contract = DocumentFacts {
            in_contract: true,
            ..Default::default()
        };
        assert_eq!(check_removable(contract), Err(DocumentUse::Contract));
        let record = DocumentFacts {
            project_past_completion: true,
            ..Default::default()
        };
        assert!(check_removable(record)
            .unwrap_err()
            .reason()
            .contains("completion"));
        // Under verification, a file attached to a request still open is not used yet.
        let pending_answer = DocumentFacts {
            open_request: true,
            ..record
        };
        assert_eq!(check_removable(pending_answer), Ok(()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip whose first entry is stored (method 0) with this name and content.
    pub fn zip_entry(name: &str, content: &[u8]) -> Vec<u8> {
        let mut z = b"PK\x03\x04".to_vec();
        z.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        z.extend_from_slice(&(content.len() as u32).to_le_bytes());
        z.extend_from_slice(&(content.len() as u32).to_le_bytes());
        z.extend_from_slice(&(name.len() as u16).to_le_bytes());
        z.extend_from_slice(&0u16.to_le_bytes());
        z.extend_from_slice(name.as_bytes());
        z.extend_from_slice(content);
        z
    }

    #[test]
    fn magic_bytes_decide_not_names() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Ok(FileType::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Ok(FileType::Png));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0..JFIF"), Ok(FileType::Jpeg));
        assert_eq!(sniff("a;b\nè;1\n".as_bytes()), Ok(FileType::Text));
        assert_eq!(sniff(b""), Err(SniffError::Empty));
        assert!(sniff(b"MZ\x90\x00\x03").is_err());
        assert!(sniff(b"abc\x00def").is_err());
        assert!(sniff(b"\xC3\x28").is_err());
    }

    #[test]
    fn text_split_inside_a_character_is_still_text() {
        let text = "perché è così".as_bytes();
        let mut s = Sniffer::new();
        for b in text {
            s.feed(std::slice::from_ref(b));
        }
        assert_eq!(s.finish(), Ok(FileType::Text));
        let mut s = Sniffer::new();
        s.feed(&text[..text.len() - 1]);
        assert!(s.finish().is_err(), "a truncated character is not text");
    }

    #[test]
    fn office_documents_are_told_apart_by_their_zip_entries() {
        let odt = zip_entry("mimetype", b"application/vnd.oasis.opendocument.text");
        assert_eq!(sniff(&odt), Ok(FileType::Odt));
        let ods = zip_entry(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        );
        assert_eq!(sniff(&ods), Ok(FileType::Ods));
        let odp = zip_entry(
            "mimetype",
            b"application/vnd.oasis.opendocument.presentation",
        );
        assert!(sniff(&odp).is_err());
        let mut docx = zip_entry("[Content_Types].xml", b"<Types/>");
        docx.extend(zip_entry("word/document.xml", b"<w:document/>"));
        assert_eq!(sniff(&docx), Ok(FileType::Docx));
        // Fed in tiny chunks, a name split across two chunks is still found.
        let mut s = Sniffer::new();
        for chunk in docx.chunks(3) {
            s.feed(chunk);
        }
        assert_eq!(s.finish(), Ok(FileType::Docx));
        let mut xlsx = zip_entry("[Content_Types].xml", b"<Types/>");
        xlsx.extend(zip_entry("xl/workbook.xml", b"<workbook/>"));
        assert_eq!(sniff(&xlsx), Ok(FileType::Xlsx));
        assert!(sniff(&zip_entry("evil.exe", b"MZ")).is_err());
    }

    #[test]
    fn a_name_or_media_type_claiming_another_type_is_a_lie() {
        assert!(FileType::Text.check_claims("relazione.pdf", None).is_err());
        assert!(FileType::Pdf.check_claims("relazione.PDF", None).is_ok());
        assert!(FileType::Pdf
            .check_claims("relazione", Some("image/png"))
            .is_err());
        assert!(FileType::Pdf
            .check_claims("relazione", Some("application/octet-stream"))
            .is_ok());
        assert!(FileType::Text
            .check_claims("dati.csv", Some("text/csv"))
            .is_ok());
    }

    #[test]
    fn download_names_are_harmless_and_truthful() {
        assert_eq!(
            download_name("../../etc/passwd", FileType::Text),
            "passwd.txt"
        );
        assert_eq!(download_name("C:\\x\\a\"b.pdf", FileType::Pdf), "a_b.pdf");
        assert_eq!(
            download_name("pagina.html", FileType::Text),
            "pagina.html.txt"
        );
        assert_eq!(download_name("...", FileType::Png), "documento.png");
        assert_eq!(download_name("Foto.JPEG", FileType::Jpeg), "Foto.JPEG");
    }

    #[test]
    fn file_names_are_metadata_with_few_rules() {
        assert_eq!(
            parse_file_name(" ../../etc/passwd ").unwrap(),
            "../../etc/passwd"
        );
        assert!(parse_file_name("").is_err());
        assert!(parse_file_name("a\nb").is_err());
        assert!(parse_file_name(&"x".repeat(201)).is_err());
    }
}
