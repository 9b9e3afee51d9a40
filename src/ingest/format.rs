//! The format registry: the one [`Format`] type and the one ordered `TABLE` of
//! (sniff, read) entries that decides what a file or archive member is and who reads it.
//!
//! A format is sniffed from the first [`SNIFF_LEN`] bytes, the file's name and, for exports,
//! its place on disk (a Slack day file sits in `<root>/<channel>/<date>.json` beside a
//! `users.json` and `channels.json` at the root; a maildir message in `cur/` or `new/`),
//! never by reading the whole file. The first entry whose sniff matches reads the unit, and
//! the order of the table is the priority: chat exports first (they are JSON or text that
//! would pass for documents), then mail (mbox before a single message), then content magic
//! (zip, tar, gzip and the other archives, images by their magic number, legacy office compound
//! files, then PDF, whose `%PDF-` may sit anywhere in the first KiB and so also in
//! the header of an archive whose first member is a PDF), WhatsApp text before plain text,
//! and plain text last. Nothing matching means [`Skip::Empty`], [`Skip::Binary`] or [`Skip::NotMail`] (`unclaimed`).
//!
//! When the head alone cannot tell, one entry claims the family and its reader refines it
//! from the bytes, returning the precise format: a zip may be an office package (DOCX, XLSX,
//! PPTX, ODT, ODS, ODP) or a plain archive, and telling them apart needs the central directory
//! at the end of the file, so the [`Format::Zip`] entry claims every zip and its reader answers
//! the package's format or [`Format::Zip`]; an OLE compound file may be a Word, Excel or
//! PowerPoint 97-2003 file, told apart by its streams, so the [`Format::Doc`] entry claims the
//! legacy office family and its reader answers [`Format::Doc`], [`Format::Xls`] or
//! [`Format::Ppt`] ([`REFINED`] lists the formats only readers produce). An office package is
//! never unpacked as an archive.
//!
//! Two questions are asked of the table before a file is read whole (in
//! [`super::ingest_path`]): does an entry that streams claim it (`streaming`: an mbox is read
//! a message at a time, however large), and, for a binary head, does any entry that takes
//! binary content claim it (`claims_binary`): if not, the file is refused from its head.
//!
//! Adding a format is one new file plus one line in the table (and its variant in [`Format`]):
//! RTF, for one, is `document/rtf.rs` with a `sniff` (`{\rtf` at the start) and a reader of the
//! `Read` signature, the `Format::Rtf` variant named `"rtf"`, and the row
//! `Entry::new(Format::Rtf, document::sniff_rtf, document::read_rtf).binary(),` placed before
//! the plain-text entries that would otherwise take it.

use std::path::Path;

pub use super::detect::{looks_binary, SNIFF_LEN};
use super::{
    archive, chat, document, eml, emlx, image, maildir, mbox, msg, pst, Context, Doc, FileOutcome,
    Skip, Unit,
};

/// Every format trawl reads. [`Format::as_str`] is the name stored in `files.jsonl`, in each
/// document's `format` and in summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Twitter archive direct messages (`window.YTD.direct_messages*`).
    TwitterDm,
    /// Files of a chat export that hold names, not messages: Twitter's other `window.YTD.*`
    /// files, a Slack export's `users.json`, `channels.json`, ... at its root.
    ExportMetadata,
    /// A day of a Slack channel (`<root>/<channel>/<YYYY-MM-DD>.json`).
    Slack,
    /// A Telegram `result.json`.
    Telegram,
    Mbox,
    /// One message in a maildir's `cur/` or `new/`.
    Maildir,
    /// One RFC 5322 message in a file (`.eml`, or no extension as in the Enron release).
    Eml,
    /// An Apple Mail `.emlx` or `.partial.emlx`: the message inside its wrapper.
    Emlx,
    /// An Outlook message saved as a file (a compound file of MAPI properties).
    Msg,
    /// An Outlook mailbox store (Personal Storage Table); also the entry that claims OST.
    Pst,
    /// An Outlook offline store: a PST with its own header magic.
    Ost,
    Pdf,
    Zip,
    Docx,
    Odt,
    Xlsx,
    Pptx,
    Ods,
    Odp,
    /// Word 97-2003; also the entry that claims every legacy office compound file.
    Doc,
    Xls,
    Ppt,
    Rtf,
    Tar,
    TarGz,
    TarBz2,
    TarXz,
    SevenZ,
    /// RAR 4 and 5, one file or a multi-volume set read from its first part.
    Rar,
    /// One gzip-compressed file: its member is the file without the suffix.
    Gz,
    Bz2,
    Xz,
    /// Images ([`super::image`]): one document each, EXIF metadata and OCR text.
    Jpeg,
    Png,
    /// TIFF, and the camera raw formats built on it (NEF, CR2, DNG).
    Tiff,
    /// HEIF and its codings: HEIC, AVIF.
    Heif,
    Webp,
    Gif,
    Bmp,
    /// A WhatsApp chat export (`WhatsApp Chat with NAME.txt`).
    WhatsApp,
    Html,
    Csv,
    Text,
}

impl Format {
    /// Every variant, in declaration order.
    pub const ALL: [Format; 43] = [
        Format::TwitterDm,
        Format::ExportMetadata,
        Format::Slack,
        Format::Telegram,
        Format::Mbox,
        Format::Maildir,
        Format::Eml,
        Format::Emlx,
        Format::Msg,
        Format::Pst,
        Format::Ost,
        Format::Pdf,
        Format::Zip,
        Format::Docx,
        Format::Odt,
        Format::Xlsx,
        Format::Pptx,
        Format::Ods,
        Format::Odp,
        Format::Doc,
        Format::Xls,
        Format::Ppt,
        Format::Rtf,
        Format::Tar,
        Format::TarGz,
        Format::TarBz2,
        Format::TarXz,
        Format::SevenZ,
        Format::Rar,
        Format::Gz,
        Format::Bz2,
        Format::Xz,
        Format::Jpeg,
        Format::Png,
        Format::Tiff,
        Format::Heif,
        Format::Webp,
        Format::Gif,
        Format::Bmp,
        Format::WhatsApp,
        Format::Html,
        Format::Csv,
        Format::Text,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Format::TwitterDm => "twitter-dm",
            Format::ExportMetadata => "export-metadata",
            Format::Slack => "slack",
            Format::Telegram => "telegram",
            Format::Mbox => "mbox",
            Format::Maildir => "maildir",
            Format::Eml => "eml",
            Format::Emlx => "emlx",
            Format::Msg => "msg",
            Format::Pst => "pst",
            Format::Ost => "ost",
            Format::Pdf => "pdf",
            Format::Zip => "zip",
            Format::Docx => "docx",
            Format::Odt => "odt",
            Format::Xlsx => "xlsx",
            Format::Pptx => "pptx",
            Format::Ods => "ods",
            Format::Odp => "odp",
            Format::Doc => "doc",
            Format::Xls => "xls",
            Format::Ppt => "ppt",
            Format::Rtf => "rtf",
            Format::Tar => "tar",
            Format::TarGz => "tar.gz",
            Format::TarBz2 => "tar.bz2",
            Format::TarXz => "tar.xz",
            Format::SevenZ => "7z",
            Format::Rar => "rar",
            Format::Gz => "gz",
            Format::Bz2 => "bz2",
            Format::Xz => "xz",
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Tiff => "tiff",
            Format::Heif => "heif",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Bmp => "bmp",
            Format::WhatsApp => "whatsapp",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Text => "text",
        }
    }
}

/// What a sniff sees of a file or archive member.
pub struct Sniff<'a> {
    /// The first [`SNIFF_LEN`] bytes (all of them when the unit is shorter).
    pub head: &'a [u8],
    /// The file or member name, without its folders.
    pub name: &'a str,
    /// The file on disk, when this is one (exports look at their neighbours); None for an
    /// archive member.
    pub real: Option<&'a Path>,
    /// Size of the whole unit in bytes.
    pub size: u64,
    /// The run's context: a Slack day file counts only when its workspace (the export root's
    /// metadata, read once per export and cached) loads.
    pub ctx: &'a Context,
}

/// Reads a unit held in memory, emitting documents and member skips; returns the format it
/// was read as (for a family entry, the precise one).
pub(crate) type Read = fn(
    &Unit<'_>,
    &Context,
    &mut dyn FnMut(Doc),
    &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip>;

/// Reads a file on disk as a stream, never whole: the file, the hash of its last indexed
/// version (unchanged content is not parsed), the document sink.
pub(crate) type Stream =
    fn(&Path, &Context, Option<&str>, &mut dyn FnMut(Doc)) -> Result<FileOutcome, Skip>;

/// One row of the registry.
pub(crate) struct Entry {
    /// The format this entry claims (for a family, the family's plain member: see [`REFINED`]).
    pub format: Format,
    pub sniff: fn(&Sniff) -> bool,
    pub read: Read,
    /// Reads files of any size as a stream; asked before a file is read whole.
    pub stream: Option<Stream>,
    /// Takes content that looks binary (NUL or control bytes in the head): only these entries
    /// are asked before a binary file is refused from its head.
    pub binary: bool,
}

impl Entry {
    /// An entry for text content, read in memory.
    const fn new(format: Format, sniff: fn(&Sniff) -> bool, read: Read) -> Entry {
        Entry {
            format,
            sniff,
            read,
            stream: None,
            binary: false,
        }
    }

    /// The format's content may look binary.
    const fn binary(self) -> Entry {
        Entry {
            binary: true,
            ..self
        }
    }

    /// Files of the format are read as a stream by `stream`.
    const fn streams(self, stream: Stream) -> Entry {
        Entry {
            stream: Some(stream),
            ..self
        }
    }
}

/// Whether a file read as the format named `name` (as stored in `files.jsonl`) holds members
/// whose documents carry the provenance path `FILE!/member`: what a re-run must delete besides
/// the file's own path when the file changes or goes.
pub fn holds_members(name: &str) -> bool {
    [
        Format::Zip,
        Format::Tar,
        Format::TarGz,
        Format::TarBz2,
        Format::TarXz,
        Format::SevenZ,
        Format::Rar,
        Format::Gz,
        Format::Bz2,
        Format::Xz,
    ]
    .iter()
    .any(|f| f.as_str() == name)
}

/// The registry, in priority order: the first entry whose sniff matches reads.
#[rustfmt::skip]
pub(crate) static TABLE: &[Entry] = &[
    Entry::new(Format::TwitterDm, chat::twitter::sniff, chat::twitter::read),
    Entry::new(
        Format::ExportMetadata,
        chat::sniff_metadata,
        chat::read_metadata,
    ),
    Entry::new(Format::Slack, chat::slack::sniff, chat::slack::read),
    Entry::new(
        Format::Telegram,
        chat::telegram::sniff,
        chat::telegram::read,
    ),
    Entry::new(Format::Mbox, mbox::sniff, mbox::read).streams(mbox::stream),
    Entry::new(Format::Emlx, emlx::sniff, emlx::read).binary(),
    Entry::new(Format::Maildir, maildir::sniff, maildir::read).binary(),
    Entry::new(Format::Eml, eml::sniff, eml::read).binary(),
    Entry::new(Format::Msg, msg::sniff, msg::read).binary(),
    Entry::new(Format::Pst, pst::sniff, pst::read)
        .binary()
        .streams(pst::stream),
    Entry::new(Format::Zip, archive::sniff_zip, archive::read_zip).binary(),
    Entry::new(Format::Tar, archive::sniff_tar, archive::read_tar).binary(),
    Entry::new(Format::TarGz, archive::sniff_gzip, archive::read_other).binary(),
    Entry::new(Format::TarBz2, archive::sniff_bzip2, archive::read_other).binary(),
    Entry::new(Format::TarXz, archive::sniff_xz, archive::read_other).binary(),
    Entry::new(Format::SevenZ, archive::sniff_7z, archive::read_other).binary(),
    Entry::new(Format::Rar, archive::sniff_rar, archive::read_other).binary(),
    Entry::new(Format::Jpeg, image::sniff_jpeg, image::read).binary(),
    Entry::new(Format::Png, image::sniff_png, image::read).binary(),
    Entry::new(Format::Tiff, image::sniff_tiff, image::read).binary(),
    Entry::new(Format::Heif, image::sniff_heif, image::read).binary(),
    Entry::new(Format::Webp, image::sniff_webp, image::read).binary(),
    Entry::new(Format::Gif, image::sniff_gif, image::read).binary(),
    Entry::new(Format::Bmp, image::sniff_bmp, image::read).binary(),
    Entry::new(Format::Doc, document::sniff_ole, document::read_ole).binary(),
    Entry::new(Format::Pdf, document::sniff_pdf, document::read_pdf).binary(),
    Entry::new(Format::Rtf, document::sniff_rtf, document::read_rtf).binary(),
    Entry::new(
        Format::WhatsApp,
        chat::whatsapp::sniff,
        chat::whatsapp::read,
    ),
    Entry::new(Format::Html, document::sniff_html, document::read_html).binary(),
    Entry::new(Format::Csv, document::sniff_csv, document::read_csv).binary(),
    Entry::new(Format::Text, document::sniff_text, document::read_text).binary(),
];

/// Formats no entry claims, produced by the reader of a family entry: (format, the entry's).
pub const REFINED: &[(Format, Format)] = &[
    (Format::Docx, Format::Zip),
    (Format::Odt, Format::Zip),
    (Format::Gz, Format::TarGz),
    (Format::Bz2, Format::TarBz2),
    (Format::Xz, Format::TarXz),
    (Format::Xlsx, Format::Zip),
    (Format::Pptx, Format::Zip),
    (Format::Ods, Format::Zip),
    (Format::Odp, Format::Zip),
    (Format::Xls, Format::Doc),
    (Format::Ppt, Format::Doc),
    (Format::Ost, Format::Pst),
];

/// The entry that reads what `s` sees, if any.
pub(crate) fn first(s: &Sniff) -> Option<&'static Entry> {
    TABLE.iter().find(|e| (e.sniff)(s))
}

/// The first entry that streams and claims what `s` sees: such a file is read as a stream.
pub(crate) fn streaming(s: &Sniff) -> Option<Stream> {
    TABLE
        .iter()
        .filter(|e| e.stream.is_some())
        .find(|e| (e.sniff)(s))
        .and_then(|e| e.stream)
}

/// Whether an entry that takes binary content claims what `s` sees (archives, PDF, office
/// packages, UTF-16 text with a byte-order mark, mail with a stray NUL byte). A binary head no
/// entry claims is refused without reading the rest.
pub(crate) fn claims_binary(s: &Sniff) -> bool {
    TABLE.iter().any(|e| e.binary && (e.sniff)(s))
}

/// Why nothing in the table claims what `s` sees.
pub(crate) fn unclaimed(s: &Sniff) -> Skip {
    if s.head.iter().all(u8::is_ascii_whitespace) {
        Skip::Empty
    } else if let Some(part) = archive::volumes::part_skip(s.name, s.real) {
        part
    } else if looks_binary(s.head) {
        super::filetype::name(s.head, s.size)
    } else {
        Skip::NotMail
    }
}

/// A unit that is whitespace from end to end (its head is all of it): empty, whatever its name.
pub(crate) fn blank(s: &Sniff) -> bool {
    s.size <= s.head.len() as u64 && s.head.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use chrono::Utc;

    use super::*;
    use crate::ingest::{ingest_bytes, Outcome};

    const MAIL: &[u8] =
        b"From: a@x.example\nTo: b@y.example\nSubject: s\nDate: Mon, 3 Oct 2016 10:00:00 +0000\n\nbody\n";

    /// The entry that claims `bytes` named `name` (on disk at `real`, when given).
    fn claim(bytes: &[u8], name: &str, real: Option<&Path>) -> Option<Format> {
        let ctx = Context::new(Utc::now());
        let s = Sniff {
            head: &bytes[..bytes.len().min(SNIFF_LEN)],
            name,
            real,
            size: bytes.len() as u64,
            ctx: &ctx,
        };
        first(&s).map(|e| e.format)
    }

    /// What the whole ingest makes of `bytes` at `path`: the format name or the skip code.
    fn read_as(bytes: &[u8], path: &Path) -> String {
        match ingest_bytes(bytes, path, Utc::now()) {
            Outcome::Indexed { format, .. } => format.to_owned(),
            Outcome::Skipped(s) => format!("skip:{}", s.code()),
        }
    }

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn names_are_the_stored_ones() {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(
            names,
            [
                "twitter-dm",
                "export-metadata",
                "slack",
                "telegram",
                "mbox",
                "maildir",
                "eml",
                "emlx",
                "msg",
                "pst",
                "ost",
                "pdf",
                "zip",
                "docx",
                "odt",
                "xlsx",
                "pptx",
                "ods",
                "odp",
                "doc",
                "xls",
                "ppt",
                "rtf",
                "tar",
                "tar.gz",
                "tar.bz2",
                "tar.xz",
                "7z",
                "rar",
                "gz",
                "bz2",
                "xz",
                "jpeg",
                "png",
                "tiff",
                "heif",
                "webp",
                "gif",
                "bmp",
                "whatsapp",
                "html",
                "csv",
                "text"
            ]
        );
        assert_eq!(super::super::EXPORT_METADATA, "export-metadata");
    }

    /// Every format has exactly one row, except those a family's reader refines to (DOCX and
    /// ODT, from the zip entry), which have none.
    #[test]
    fn every_format_has_one_row_or_is_refined() {
        assert_eq!(REFINED.len(), 12);
        for f in Format::ALL {
            let rows = TABLE.iter().filter(|e| e.format == f).count();
            match REFINED.iter().find(|(r, _)| *r == f) {
                Some((_, family)) => {
                    assert_eq!(rows, 0, "{f:?} is refined, not sniffed");
                    assert_eq!(TABLE.iter().filter(|e| e.format == *family).count(), 1);
                }
                None => assert_eq!(rows, 1, "{f:?}"),
            }
        }
        // Only the mbox and mail stores stream.
        let streaming: Vec<Format> = TABLE
            .iter()
            .filter(|e| e.stream.is_some())
            .map(|e| e.format)
            .collect();
        assert_eq!(streaming, [Format::Mbox, Format::Pst]);
    }

    #[test]
    fn chat_exports_come_before_what_they_would_pass_for() {
        let dm = b"window.YTD.direct_messages.part0 = [ ]";
        assert_eq!(
            claim(dm, "direct-messages.js", None),
            Some(Format::TwitterDm)
        );
        assert_eq!(
            claim(b"window.YTD.account.part0 = [ ]", "account.js", None),
            Some(Format::ExportMetadata)
        );
        let telegram = br#"{"name": "Sam", "type": "personal_chat", "messages": []}"#;
        assert_eq!(claim(telegram, "result.json", None), Some(Format::Telegram));

        let wa = b"12/31/20, 9:41 PM - Sam: see you\n12/31/20, 9:42 PM - Me: ok\n";
        assert_eq!(
            claim(wa, "WhatsApp Chat with Sam.txt", None),
            Some(Format::WhatsApp)
        );
        assert_eq!(
            claim(
                b"Minutes of the meeting\nnothing agreed\n",
                "notes.txt",
                None
            ),
            Some(Format::Text)
        );
    }

    /// A Slack day file is one by its place: in `<root>/<channel>/` of an export whose root
    /// holds `users.json` and `channels.json`. The same bytes elsewhere are JSON text.
    #[test]
    fn a_slack_day_file_is_one_by_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("export");
        std::fs::create_dir_all(root.join("general")).unwrap();
        std::fs::write(root.join("users.json"), r#"[{"id": "U1", "name": "ann"}]"#).unwrap();
        std::fs::write(
            root.join("channels.json"),
            r#"[{"id": "C1", "name": "general", "members": ["U1"]}]"#,
        )
        .unwrap();
        let day =
            br#"[{"type": "message", "user": "U1", "text": "hi", "ts": "1475488800.000100"}]"#;
        let in_place = root.join("general/2016-10-03.json");
        std::fs::write(&in_place, day).unwrap();
        assert_eq!(
            claim(day, "2016-10-03.json", Some(&in_place)),
            Some(Format::Slack)
        );
        assert_eq!(read_as(day, &in_place), "slack");
        assert_eq!(
            claim(day, "users.json", Some(&root.join("users.json"))),
            Some(Format::ExportMetadata)
        );
        let elsewhere = dir.path().join("2016-10-03.json");
        std::fs::write(&elsewhere, day).unwrap();
        assert_eq!(
            claim(day, "2016-10-03.json", Some(&elsewhere)),
            Some(Format::Text)
        );
        assert_eq!(claim(day, "2016-10-03.json", None), Some(Format::Text));
        // A broken table does not make the day files text: they are read without it (issue
        // #13: a truncated users.json once turned a whole export into raw JSON "documents").
        std::fs::write(root.join("users.json"), "not json").unwrap();
        assert_eq!(
            claim(day, "2016-10-03.json", Some(&in_place)),
            Some(Format::Slack)
        );
    }

    #[test]
    fn mail_an_mbox_before_a_message_a_maildir_by_place() {
        let mut mbox = b"From a@x.example Mon Oct  3 10:00:00 2016\n".to_vec();
        mbox.extend_from_slice(MAIL);
        assert_eq!(claim(&mbox, "box", None), Some(Format::Mbox));
        assert_eq!(claim(MAIL, "1.eml", None), Some(Format::Eml));

        let dir = tempfile::tempdir().unwrap();
        for sub in ["cur", "new"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let msg = dir.path().join("cur/1:2,S");
        std::fs::write(&msg, MAIL).unwrap();
        assert_eq!(claim(MAIL, "1:2,S", Some(&msg)), Some(Format::Maildir));
        assert_eq!(read_as(MAIL, &msg), "maildir");
        // In a maildir, an mbox is still an mbox.
        assert_eq!(claim(&mbox, "1:2,S", Some(&msg)), Some(Format::Mbox));

        let ctx = Context::new(Utc::now());
        let s = Sniff {
            head: &mbox,
            name: "box",
            real: None,
            size: mbox.len() as u64,
            ctx: &ctx,
        };
        assert!(streaming(&s).is_some());
        let s = Sniff { head: MAIL, ..s };
        assert!(streaming(&s).is_none());
    }

    /// A PST and an OST are claimed by their header's magic, whatever their name, and read
    /// as a stream; the OST is the PST entry's to refine.
    #[test]
    fn mail_stores_are_claimed_by_magic_and_stream() {
        let pst: &[u8] = b"!BDN\x01\x02\x03\x04SM\x17\x00\x13\x00\x01\x01";
        let ost: &[u8] = b"!BDN\x01\x02\x03\x04SO\x17\x00\x0c\x00\x01\x01";
        assert_eq!(claim(pst, "mailbox.ost", None), Some(Format::Pst));
        assert_eq!(claim(ost, "backup", None), Some(Format::Pst));
        assert_eq!(claim(b"!BDN\0\0\0\0XX", "x.pst", None), None);
        let ctx = Context::new(Utc::now());
        let s = Sniff {
            head: pst,
            name: "x.pst",
            real: None,
            size: 1 << 33,
            ctx: &ctx,
        };
        assert!(streaming(&s).is_some());
    }

    /// A zip's head cannot tell a DOCX from an archive of emails: the zip entry claims both and
    /// its reader refines from the central directory.
    #[test]
    fn the_zip_entry_refines_office_packages() {
        let docx = zip_of(&[(
            "word/document.xml",
            br#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>"#,
        )]);
        let mails = zip_of(&[("a.eml", MAIL), ("b.eml", MAIL)]);
        assert_eq!(claim(&docx, "memo.docx", None), Some(Format::Zip));
        assert_eq!(claim(&mails, "mails.zip", None), Some(Format::Zip));
        assert_eq!(read_as(&docx, Path::new("memo.zip")), "docx");
        assert_eq!(read_as(&mails, Path::new("mails.zip")), "zip");
    }

    /// A stored zip or a tar whose first member is a PDF carries `%PDF-` in its first KiB: it
    /// is the archive that is read, the PDF as its member.
    #[test]
    fn an_archive_whose_first_member_is_a_pdf_is_an_archive() {
        let pdf: &[u8] = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n";
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file("first.pdf", stored).unwrap();
        std::io::Write::write_all(&mut w, pdf).unwrap();
        let zip = w.finish().unwrap().into_inner();
        assert_eq!(claim(&zip, "bundle.zip", None), Some(Format::Zip));
        let mut tar = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(pdf.len() as u64);
        header.set_cksum();
        tar.append_data(&mut header, "first.pdf", pdf).unwrap();
        let tar = tar.into_inner().unwrap();
        assert_eq!(claim(&tar, "bundle.tar", None), Some(Format::Tar));
    }

    #[test]
    fn magic_and_binary() {
        let pdf = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n";
        assert_eq!(claim(pdf, "report.bin", None), Some(Format::Pdf));
        assert_eq!(
            claim(b"a text that mentions %PDF- once", "a.txt", None),
            Some(Format::Text)
        );
        let garbage: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        assert_eq!(claim(&garbage, "disk.img", None), None);
        let ctx = Context::new(Utc::now());
        let sniff = |head: &'static [u8]| Sniff {
            head,
            name: "x",
            real: None,
            size: head.len() as u64,
            ctx: &ctx,
        };
        let garbage: &'static [u8] = garbage.leak();
        assert_eq!(unclaimed(&sniff(garbage)), Skip::Binary);
        assert!(!claims_binary(&sniff(garbage)));
        assert_eq!(unclaimed(&sniff(b" \n\t\n")), Skip::Empty);
        assert_eq!(claim(b" \n", "blank.csv", None), None);
        // Binary heads some reader takes: archives, PDF after junk, UTF-16, mail with a NUL.
        assert!(claims_binary(&sniff(b"PK\x03\x04\0\0")));
        assert!(claims_binary(&sniff(b"\0\0\0%PDF-1.4")));
        assert!(claims_binary(&sniff(b"\xff\xfeh\0i\0")));
        assert!(claims_binary(&sniff(
            b"From: a@x.example\nSubject: s\n\nbo\0dy"
        )));
        assert!(!claims_binary(&sniff(b"\x7fELF\x02\x01\x01\0")));
    }
}
