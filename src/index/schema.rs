//! The index schema: every field, its name and its options, declared here and nowhere else.
//!
//! Options are chosen per use: full-text fields (`TEXT` analyzer, positions for phrases) for what
//! people search in words; raw `STRING` terms for exact values (addresses, ids, paths); `FAST`
//! columns for what we sort on, range over or count (date, addresses, domains, kind); `STORED`
//! only for what a hit prints. Addresses are indexed twice: as words (`from:reyes`) and as the
//! exact lower-cased address (`from:dana.reyes@reyes2016.example.com`, counts by sender).

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

use super::tokenizers;

pub const ID: &str = "id";
pub const KIND: &str = "kind";
pub const FORMAT: &str = "format";
/// Chat conversation or channel.
pub const CONVERSATION: &str = "conversation";
/// Id of the document this one was found in (attachment → message).
pub const PARENT: &str = "parent";
/// Where the date came from: `header`, `metadata`, `file-mtime` (indexed: `date-source:`).
pub const DATE_SOURCE: &str = "date_source";
pub const PATH: &str = "path";
pub const OFFSET: &str = "offset";
pub const LENGTH: &str = "length";
/// The MIME part inside the byte range that a document is (see [`crate::source`]).
pub const ITEM: &str = "item";
pub const SHA256: &str = "sha256";
pub const MESSAGE_ID: &str = "message_id";
pub const IN_REPLY_TO: &str = "in_reply_to";
pub const REFERENCES: &str = "references";
/// Words of the sender's name and address.
pub const FROM: &str = "from";
/// Exact lower-cased sender address.
pub const FROM_ADDR: &str = "from_addr";
pub const TO: &str = "to";
pub const CC: &str = "cc";
pub const CC_ADDR: &str = "cc_addr";
pub const BCC: &str = "bcc";
pub const BCC_ADDR: &str = "bcc_addr";
/// Every recipient address (To, Cc, Bcc), for counting recipients in one pass.
pub const RCPT_ADDR: &str = "rcpt_addr";
/// Domains of the sender and of every recipient, as written (what the domain facet counts).
pub const DOMAIN: &str = "domain";
/// The sender's domain and every parent domain of two labels or more (`mail.enron.com`,
/// `enron.com`): `from:enron.com` is one term instead of a scan of every address.
pub const FROM_DOMAIN: &str = "from_domain";
/// The same for every recipient (To, Cc, Bcc).
pub const RCPT_DOMAIN: &str = "rcpt_domain";
/// Sender and recipients with their display names, as JSON, for printing.
pub const ENVELOPE: &str = "envelope";
pub const SUBJECT: &str = "subject";
pub const BODY: &str = "body";
pub const DATE: &str = "date";
/// The file's modification time, for documents with no date of their own: apart from `date` so
/// that only `--file-dates` (or `date-source:file`) brings it into ranges, buckets and order.
pub const FILE_DATE: &str = "file_date";
pub const TZ_OFFSET: &str = "tz_offset";
pub const DATE_QUALITY: &str = "date_quality";
pub const DATE_RAW: &str = "date_raw";
/// Attachment file names, as words.
pub const ATTACHMENT: &str = "attachment";
pub const ATTACHMENT_TYPE: &str = "attachment_type";
pub const SIZE: &str = "size";
/// Markers such as `attachment`, `truncated`, `encoding-problem`, `gps`, `ocr`, `needs-ocr`.
pub const FLAGS: &str = "flags";
/// The charset a text, CSV or HTML document was decoded from, lower-cased (`charset:koi8-r`).
pub const CHARSET: &str = "charset";
/// Words of the name of who saved a document last (`modified-by:`).
pub const MODIFIED_BY: &str = "modified_by";
/// A document's creation and last-modification dates from its own metadata (`created:`,
/// `modified:`), apart from `date`, which is the first of them.
pub const CREATED: &str = "created";
pub const MODIFIED: &str = "modified";
/// The top-level item of a part's family (see [`crate::ingest::family`]); absent on top-level
/// items, which is how searches tell them apart.
pub const ROOT: &str = "root";
/// What threading reads of an e-mail, in one fast column (see [`crate::index::threads`]): the
/// Message-ID, In-Reply-To, References in their order and the subject, `\x1f`-separated. Not
/// searchable; References keep their order here, which a multi-valued column would not.
pub const THREADING: &str = "threading";
/// The key copies of one message share ([`crate::doc::Doc::copy_key`]).
pub const COPY: &str = "copy";
/// Words of a picture's camera make and model (`camera:nikon`).
pub const CAMERA: &str = "camera";
/// A picture's metadata ([`crate::doc::ImageMeta`]) as JSON, for printing.
pub const IMAGE: &str = "image";
/// The mail folder of a store's message (PST, OST), as words (`folder:inbox`).
pub const FOLDER: &str = "folder";
/// Whose mailbox or files the document sits in ([`crate::custodian`]), as the directory is
/// named: exact term (`custodian:allen-p`) and counted (`--facet custodian`, `batch --by`).
pub const CUSTODIAN: &str = "custodian";
/// Where a document lies relative to the dump's parent directory (path, offset, part), hashed:
/// the tie-break of every sort order. Ids hash the absolute path, so ordering ties by id would
/// change with where a dump is mounted; this does not. A fast column only.
pub const ORDER: &str = "order";

/// Handles to every field, resolved once from the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub kind: Field,
    pub format: Field,
    pub conversation: Field,
    pub parent: Field,
    pub date_source: Field,
    pub path: Field,
    pub offset: Field,
    pub length: Field,
    pub item: Field,
    pub sha256: Field,
    pub message_id: Field,
    pub in_reply_to: Field,
    pub references: Field,
    pub from: Field,
    pub from_addr: Field,
    pub to: Field,
    pub cc: Field,
    pub cc_addr: Field,
    pub bcc: Field,
    pub bcc_addr: Field,
    pub rcpt_addr: Field,
    pub domain: Field,
    pub from_domain: Field,
    pub rcpt_domain: Field,
    pub envelope: Field,
    pub subject: Field,
    pub body: Field,
    pub date: Field,
    pub file_date: Field,
    pub tz_offset: Field,
    pub date_quality: Field,
    pub date_raw: Field,
    pub attachment: Field,
    pub attachment_type: Field,
    pub size: Field,
    pub flags: Field,
    pub charset: Field,
    pub modified_by: Field,
    pub created: Field,
    pub modified: Field,
    pub root: Field,
    pub copy: Field,
    pub threading: Field,
    pub camera: Field,
    pub image: Field,
    pub folder: Field,
    pub custodian: Field,
    pub order: Field,
}

fn text(stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(tokenizers::TEXT)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let opts = TextOptions::default().set_indexing_options(indexing);
    if stored {
        opts.set_stored()
    } else {
        opts
    }
}

/// Builds the schema. Changing it means bumping [`SCHEMA_VERSION`].
pub fn build() -> Schema {
    let mut b = Schema::builder();
    let u64_stored = NumericOptions::default().set_stored();
    b.add_u64_field(ID, INDEXED | FAST | STORED);
    b.add_text_field(KIND, STRING | FAST | STORED);
    b.add_text_field(FORMAT, STRING | FAST | STORED);
    b.add_text_field(CONVERSATION, STRING | FAST | STORED);
    b.add_u64_field(PARENT, INDEXED | FAST | STORED);
    b.add_text_field(DATE_SOURCE, STRING | STORED);
    b.add_text_field(PATH, STRING | STORED);
    b.add_u64_field(OFFSET, u64_stored.clone());
    b.add_u64_field(LENGTH, u64_stored.clone());
    b.add_u64_field(ITEM, u64_stored);
    b.add_text_field(SHA256, STORED);
    b.add_text_field(MESSAGE_ID, STRING | STORED);
    b.add_text_field(IN_REPLY_TO, STRING | STORED);
    b.add_text_field(REFERENCES, STRING | STORED);
    b.add_text_field(FROM, text(false));
    b.add_text_field(FROM_ADDR, STRING | FAST);
    b.add_text_field(TO, text(false));
    b.add_text_field(CC, text(false));
    b.add_text_field(CC_ADDR, STRING);
    b.add_text_field(BCC, text(false));
    b.add_text_field(BCC_ADDR, STRING);
    b.add_text_field(RCPT_ADDR, STRING | FAST);
    b.add_text_field(DOMAIN, STRING | FAST);
    b.add_text_field(FROM_DOMAIN, STRING);
    b.add_text_field(RCPT_DOMAIN, STRING);
    b.add_text_field(ENVELOPE, STORED);
    b.add_text_field(SUBJECT, text(true));
    b.add_text_field(BODY, text(true));
    let date = DateOptions::default()
        .set_indexed()
        .set_fast()
        .set_stored()
        .set_precision(DateTimePrecision::Seconds);
    b.add_date_field(DATE, date.clone());
    b.add_date_field(FILE_DATE, date.clone());
    let metadata_date = DateOptions::default()
        .set_indexed()
        .set_stored()
        .set_precision(DateTimePrecision::Seconds);
    b.add_i64_field(TZ_OFFSET, STORED);
    b.add_text_field(DATE_QUALITY, STRING | FAST | STORED);
    b.add_text_field(DATE_RAW, STORED);
    b.add_text_field(ATTACHMENT, text(true));
    b.add_text_field(ATTACHMENT_TYPE, STRING | STORED);
    b.add_u64_field(SIZE, FAST | STORED);
    b.add_text_field(FLAGS, STRING | STORED);
    b.add_text_field(CHARSET, STRING | FAST | STORED);
    b.add_text_field(MODIFIED_BY, text(true));
    b.add_date_field(CREATED, metadata_date.clone());
    b.add_date_field(MODIFIED, metadata_date);
    b.add_u64_field(ROOT, INDEXED | FAST | STORED);
    b.add_u64_field(COPY, INDEXED | FAST);
    b.add_text_field(THREADING, TextOptions::default().set_fast("raw"));
    b.add_text_field(CAMERA, text(false));
    b.add_text_field(IMAGE, STORED);
    b.add_text_field(FOLDER, text(true));
    b.add_text_field(CUSTODIAN, STRING | FAST | STORED);
    b.add_u64_field(ORDER, FAST);
    b.build()
}

/// Version of the on-disk layout, recorded in the index directory; an index of another version
/// is refused with a request to re-index rather than misread.
pub const SCHEMA_VERSION: u32 = 10;

impl Fields {
    /// Resolves every field of `schema`. Fails when the index was built by another schema.
    pub fn resolve(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f(ID)?,
            kind: f(KIND)?,
            format: f(FORMAT)?,
            conversation: f(CONVERSATION)?,
            parent: f(PARENT)?,
            date_source: f(DATE_SOURCE)?,
            path: f(PATH)?,
            offset: f(OFFSET)?,
            length: f(LENGTH)?,
            item: f(ITEM)?,
            sha256: f(SHA256)?,
            message_id: f(MESSAGE_ID)?,
            in_reply_to: f(IN_REPLY_TO)?,
            references: f(REFERENCES)?,
            from: f(FROM)?,
            from_addr: f(FROM_ADDR)?,
            to: f(TO)?,
            cc: f(CC)?,
            cc_addr: f(CC_ADDR)?,
            bcc: f(BCC)?,
            bcc_addr: f(BCC_ADDR)?,
            rcpt_addr: f(RCPT_ADDR)?,
            domain: f(DOMAIN)?,
            from_domain: f(FROM_DOMAIN)?,
            rcpt_domain: f(RCPT_DOMAIN)?,
            envelope: f(ENVELOPE)?,
            subject: f(SUBJECT)?,
            body: f(BODY)?,
            date: f(DATE)?,
            file_date: f(FILE_DATE)?,
            tz_offset: f(TZ_OFFSET)?,
            date_quality: f(DATE_QUALITY)?,
            date_raw: f(DATE_RAW)?,
            attachment: f(ATTACHMENT)?,
            attachment_type: f(ATTACHMENT_TYPE)?,
            size: f(SIZE)?,
            flags: f(FLAGS)?,
            charset: f(CHARSET)?,
            modified_by: f(MODIFIED_BY)?,
            created: f(CREATED)?,
            modified: f(MODIFIED)?,
            root: f(ROOT)?,
            copy: f(COPY)?,
            threading: f(THREADING)?,
            camera: f(CAMERA)?,
            image: f(IMAGE)?,
            folder: f(FOLDER)?,
            custodian: f(CUSTODIAN)?,
            order: f(ORDER)?,
        })
    }
}
