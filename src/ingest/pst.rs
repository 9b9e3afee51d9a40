//! Outlook PST and OST files: a mailbox store ([MS-PST]) read with Microsoft's `outlook-pst`
//! crate, a node at a time, so a store of many gigabytes is never held in memory.
//!
//! Every folder under the store's root is walked (search folders are views of messages stored
//! elsewhere and are not); every row of a folder's contents table is one item. An item becomes
//! an `email` document through the mapping the `.msg` reader uses ([`super::msg::fill`]):
//! sender, recipients, dates, subject, ids and a plain, HTML or compressed RTF body. Items that
//! are not mail (contacts, appointments, tasks) are read the same way and flagged `not-a-note`,
//! as a `.msg` of theirs is. Each document carries its folder path: the store's display name,
//! then the folders below the top of the store (`support/Sent Messages`).
//!
//! Attachments follow their message: files whose text trawl extracts become `attachment`
//! documents, attached messages `email` documents of their own. An item's number in the store
//! is its node id times [`PART_SPAN`]; its attachments are numbered from one above that, so
//! `show --raw` can find an attachment again ([`part_contents`]). A message is a node of the
//! store, not a run of bytes: `show --raw` refuses it, pointing at the store.
//!
//! What the contents tables list is what the store says it holds: that count is stated, and
//! every item ends as a document or as a failure with a reason (an item the crate cannot open,
//! a folder it cannot read). The crate reads ANSI and Unicode stores; an OST in the Unicode
//! layout of Outlook 2003 to 2010 differs from a PST only in its header's client magic and
//! version, and is shown to the crate as the PST it is laid out as ([`AsPst`]). An OST of
//! Outlook 2013 and later (4 KiB pages) is refused with that reason.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use outlook_pst::ltp::prop_context::PropertyValue;
use outlook_pst::ltp::table_context::{TableContext, TableRowData};
use outlook_pst::messaging::attachment::{
    AnsiAttachment, Attachment as PstAttachment, AttachmentData, UnicodeAttachment,
};
use outlook_pst::messaging::message::{AnsiMessage, Message, UnicodeMessage};
use outlook_pst::messaging::store::{AnsiStore, EntryId, Store, UnicodeStore};
use outlook_pst::ndb::node_id::{NodeId, NodeIdType, NID_ROOT_FOLDER};
use outlook_pst::{AnsiPstFile, PstReader, UnicodePstFile};

use super::format::{Format, Sniff};
use super::msg::{self, Mapi, Recipient};
use super::{Context, FileOutcome, Skip, Unit};
use crate::doc::{sha256_hex, Doc, Kind, Provenance};

/// Item numbers: a message's is its node id times this, its attachments' one to `PART_SPAN - 1`
/// above it.
pub const PART_SPAN: u64 = 1 << 20;

const PR_CONTENT_COUNT: u16 = 0x3602;
/// The flag of a document made from an item's contents-table row, the item itself unreadable.
pub const ROW_ONLY: &str = "pst-row-only";
const PR_ATTACH_SIZE: u16 = 0x0E20;

/// The header's `wVer` values: ANSI (two of them), Unicode, and Unicode with 4 KiB pages
/// (OST of Outlook 2013 and later).
const VER_ANSI: [u16; 2] = [14, 15];
const VER_UNICODE: u16 = 23;
const VER_UNICODE_4K: u16 = 36;
/// `wVerClient` the crate expects of a PST.
const PST_CLIENT_VERSION: u16 = 19;
/// Bytes of a Unicode header the crate reads and checks (up to and with `dwCRCFull`).
const UNICODE_HEADER_LEN: usize = 528;

/// The registry's sniff: the NDB magic, then a PST's (`SM`) or an OST's (`SO`) client magic.
pub(crate) fn sniff(s: &Sniff) -> bool {
    s.head.starts_with(b"!BDN") && matches!(s.head.get(8..10), Some(b"SM") | Some(b"SO"))
}

/// What a store's contents tables state and what became of it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Items the folders' contents tables list.
    pub expected: u64,
    /// Items read into documents (attachments not counted).
    pub emitted: u64,
    /// Items that could not be read, each listed with its reason.
    pub failed: u64,
}

/// The registry's reader for a store held in memory (an archive member).
pub(crate) fn read(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    let format = format_of(unit.bytes)?;
    // The crate keeps its reader for the life of the store: it owns a copy.
    let reader = io::Cursor::new(unit.bytes.to_vec());
    let counts = read_store(
        reader,
        unit.vpath,
        unit.bytes.len() as u64,
        format,
        ctx.now,
        emit,
        skip,
    )?;
    unit.stated.set(Some(counts.expected));
    Ok(format)
}

/// The registry's stream: a store on disk, read through the file a node at a time.
pub(crate) fn stream(
    path: &Path,
    ctx: &Context,
    previous_sha256: Option<&str>,
    emit: &mut dyn FnMut(Doc),
) -> Result<FileOutcome, Skip> {
    let unreadable = |e: io::Error| Skip::Unreadable(e.to_string());
    let sha256 = super::hash_file(path).map_err(unreadable)?;
    if previous_sha256 == Some(sha256.as_str()) {
        return Ok(FileOutcome::Unchanged { sha256 });
    }
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let mut head = Vec::with_capacity(UNICODE_HEADER_LEN);
    (&mut file)
        .take(UNICODE_HEADER_LEN as u64)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    let format = format_of(&head)?;
    let length = file.metadata().map_err(unreadable)?.len();
    let vpath = crate::source::encode_path(path);
    let mut docs = 0u64;
    let mut member_skips = Vec::new();
    let counts = read_store(
        io::BufReader::new(file),
        &vpath,
        length,
        format,
        ctx.now,
        &mut |d| {
            docs += 1;
            emit(d)
        },
        &mut |p, s| member_skips.push((p, s)),
    )?;
    Ok(FileOutcome::Indexed {
        format: format.as_str(),
        docs,
        sha256,
        member_skips,
        stated: Some(counts.expected),
        read: Some(counts.emitted),
    })
}

/// PST or OST, from the header; refuses layouts the crate cannot read.
fn format_of(head: &[u8]) -> Result<Format, Skip> {
    let refuse = |why: String| Err(Skip::Unextractable(why));
    if head.len() < 12 {
        return refuse("a PST/OST header cut short".into());
    }
    let format = match &head[8..10] {
        b"SO" => Format::Ost,
        _ => Format::Pst,
    };
    let version = u16::from_le_bytes([head[10], head[11]]);
    match version {
        v if VER_ANSI.contains(&v) || v == VER_UNICODE => Ok(format),
        VER_UNICODE_4K => refuse(
            "an OST of Outlook 2013 or later (4 KiB pages), a layout outlook-pst cannot read"
                .into(),
        ),
        v => refuse(format!("a PST/OST of unknown layout version {v}")),
    }
}

/// Reads every folder of the store `reader` holds, emitting documents and listing failures.
fn read_store<R: Read + Seek + 'static>(
    reader: R,
    path: &str,
    length: u64,
    format: Format,
    now: DateTime<Utc>,
    emit: &mut dyn FnMut(Doc),
    skip: &mut dyn FnMut(String, Skip),
) -> Result<Counts, Skip> {
    let opened = crate::isolate::catch(|| open(reader))
        .map_err(Skip::ParserCrash)?
        .map_err(|e| Skip::Unextractable(format!("outlook-pst cannot open the store: {e}")))?;
    let mut walk = Walk {
        path,
        length,
        format,
        now,
        counts: Counts::default(),
        emit,
        skip,
    };
    match opened {
        Opened::Unicode(store) => walk.folders::<Unicode>(&store),
        Opened::Ansi(store) => walk.folders::<Ansi>(&store),
    }
    Ok(walk.counts)
}

/// A store as the crate opened it: its two layouts are two sets of types.
enum Opened {
    Unicode(Rc<UnicodeStore>),
    Ansi(Rc<AnsiStore>),
}

fn open<R: Read + Seek + 'static>(mut reader: R) -> io::Result<Opened> {
    let mut head = [0u8; 12];
    reader.seek(SeekFrom::Start(0))?;
    reader.read_exact(&mut head)?;
    reader.seek(SeekFrom::Start(0))?;
    let version = u16::from_le_bytes([head[10], head[11]]);
    let ansi = VER_ANSI.contains(&version);
    check_trees(&mut reader, if ansi { &ANSI_TREES } else { &UNICODE_TREES })?;
    reader.seek(SeekFrom::Start(0))?;
    if ansi {
        let file = AnsiPstFile::read_from(Box::new(reader))?;
        return Ok(Opened::Ansi(AnsiStore::read(Rc::new(file))?));
    }
    let reader: Box<dyn PstReader> = if &head[8..10] == b"SO" {
        Box::new(AsPst::new(reader)?)
    } else {
        Box::new(reader)
    };
    let file = UnicodePstFile::read_from(reader)?;
    Ok(Opened::Unicode(UnicodeStore::read(Rc::new(file))?))
}

/// Where a layout keeps its two B-trees' roots and how their pages are laid out ([MS-PST]
/// 2.2.2.6, 2.2.2.7).
struct Trees {
    /// Offsets in the header of the node and block B-trees' root page offsets (`BREF.ib`).
    roots: [usize; 2],
    /// Width of a page offset.
    ib: usize,
    /// Offset in a page of `cEnt`, `cEntMax`, `cbEnt`, `cLevel`.
    meta: usize,
    /// Offset of the child page's offset inside an intermediate entry (`BTENTRY.BREF.ib`).
    child: usize,
    /// Offset in a page of its type (`ptype`: 0x81 for the node B-tree, 0x80 for the block one).
    ptype: usize,
}

const UNICODE_TREES: Trees = Trees {
    roots: [224, 240],
    ib: 8,
    meta: 488,
    child: 16,
    ptype: 496,
};
const ANSI_TREES: Trees = Trees {
    roots: [188, 196],
    ib: 4,
    meta: 496,
    child: 8,
    ptype: 500,
};
const PAGE: usize = 512;

/// Checks that every page of the node and block B-trees sits one level below its parent and
/// is reached once. outlook-pst follows a page's children recursively and checks neither: a
/// crafted page that names itself as its child would recurse until the stack overflows,
/// which ends the process (`catch_unwind` stops panics, not that).
fn check_trees<R: Read + Seek>(reader: &mut R, t: &Trees) -> io::Result<()> {
    let bad = |why: String| io::Error::new(io::ErrorKind::InvalidData, why);
    let mut header = vec![0u8; t.roots[1] + t.ib];
    reader.seek(SeekFrom::Start(0))?;
    reader.read_exact(&mut header)?;
    let offset = |bytes: &[u8], at: usize| -> u64 {
        let mut v = [0u8; 8];
        v[..t.ib].copy_from_slice(&bytes[at..at + t.ib]);
        u64::from_le_bytes(v)
    };
    let mut seen = HashSet::new();
    let mut page = vec![0u8; PAGE];
    for (root, ptype) in t.roots.into_iter().zip([0x81, 0x80]) {
        let mut pending: Vec<(u64, Option<u8>)> = vec![(offset(&header, root), None)];
        while let Some((at, level)) = pending.pop() {
            if !seen.insert(at) {
                return Err(bad(format!(
                    "the B-tree page at byte {at} is reached twice"
                )));
            }
            reader.seek(SeekFrom::Start(at))?;
            reader.read_exact(&mut page)?;
            let (count, size, found) = (
                usize::from(page[t.meta]),
                usize::from(page[t.meta + 2]),
                page[t.meta + 3],
            );
            if page[t.ptype] != ptype {
                return Err(bad(format!(
                    "byte {at} holds no page of the store's B-trees"
                )));
            }
            if level.is_some_and(|l| l != found) {
                return Err(bad(format!(
                    "the B-tree page at byte {at} is at level {found}, not one below its parent"
                )));
            }
            if found == 0 {
                continue;
            }
            if size < t.child + t.ib || count * size > t.meta {
                return Err(bad(format!(
                    "the B-tree page at byte {at} has malformed entries"
                )));
            }
            for e in 0..count {
                pending.push((offset(&page, e * size + t.child), Some(found - 1)));
            }
        }
    }
    Ok(())
}

/// What differs between the crate's ANSI and Unicode types, for one walk over both.
trait Layout {
    type Store: Store + 'static;
    type Message: Message + 'static;
    type Attachment: PstAttachment + 'static;
    fn as_dyn(store: &Rc<Self::Store>) -> Rc<dyn Store>;
    fn message(store: &Rc<Self::Store>, id: &EntryId) -> io::Result<Rc<Self::Message>>;
    fn attachment(message: &Rc<Self::Message>, node: NodeId) -> io::Result<Rc<Self::Attachment>>;
}

struct Unicode;
struct Ansi;

/// The two layouts' impls differ in their types only.
macro_rules! layout {
    ($layout:ty, $store:ty, $message:ty, $attachment:ty) => {
        impl Layout for $layout {
            type Store = $store;
            type Message = $message;
            type Attachment = $attachment;
            fn as_dyn(store: &Rc<$store>) -> Rc<dyn Store> {
                store.clone()
            }
            fn message(store: &Rc<$store>, id: &EntryId) -> io::Result<Rc<$message>> {
                <$message>::read(store.clone(), id, None)
            }
            fn attachment(message: &Rc<$message>, node: NodeId) -> io::Result<Rc<$attachment>> {
                <$attachment>::read(message.clone(), node, None)
            }
        }
    };
}

layout!(Unicode, UnicodeStore, UnicodeMessage, UnicodeAttachment);
layout!(Ansi, AnsiStore, AnsiMessage, AnsiAttachment);

/// One pass over a store's folders.
struct Walk<'a, 'e> {
    path: &'a str,
    /// Length of the whole store: every document's provenance points at it.
    length: u64,
    format: Format,
    now: DateTime<Utc>,
    counts: Counts,
    emit: &'e mut dyn FnMut(Doc),
    skip: &'e mut dyn FnMut(String, Skip),
}

/// A folder still to read: its node, the path of its parent, and how many items its parent's
/// hierarchy table says it holds (what is lost if it cannot be opened).
struct Pending {
    node: u32,
    parent: Option<String>,
    stated: Option<u64>,
}

impl Walk<'_, '_> {
    fn folders<L: Layout>(&mut self, store: &Rc<L::Store>) {
        let dyn_store = L::as_dyn(store);
        let props = dyn_store.properties();
        let store_name = props
            .display_name()
            .ok()
            .map(|n| n.trim_end_matches('\0').trim().to_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| self.format.as_str().to_owned());
        let top = props
            .ipm_sub_tree_entry_id()
            .ok()
            .map(|e| u32::from(e.node_id()));
        let mut seen = HashSet::from([u32::from(NID_ROOT_FOLDER)]);
        let mut pending = vec![Pending {
            node: u32::from(NID_ROOT_FOLDER),
            parent: None,
            stated: None,
        }];
        while let Some(p) = pending.pop() {
            let opened = crate::isolate::catch(|| {
                props
                    .make_entry_id(NodeId::from(p.node))
                    .and_then(|id| dyn_store.open_folder(&id))
            });
            let folder = match opened {
                Ok(Ok(f)) => f,
                failed => {
                    let why = match failed {
                        Ok(Err(e)) => e.to_string(),
                        Err(panic) => format!("the parser crashed: {panic}"),
                        Ok(Ok(_)) => String::new(),
                    };
                    let lost = p.stated.unwrap_or(0);
                    self.counts.expected += lost;
                    self.counts.failed += lost;
                    let at = self.locator(u64::from(p.node) * PART_SPAN);
                    (self.skip)(
                        at,
                        Skip::Unextractable(format!(
                            "a folder of {} (holding {lost} items by its parent's account) \
                             could not be opened: {why}",
                            p.parent.as_deref().unwrap_or(&store_name)
                        )),
                    );
                    continue;
                }
            };
            let name = folder
                .properties()
                .display_name()
                .unwrap_or_default()
                .trim_end_matches('\0')
                .to_owned();
            let here = match &p.parent {
                None => store_name.clone(),
                // The top of the store is named by locale ("Top of Personal Folders", "Début du
                // fichier de données Outlook"): its folders are named after the store instead.
                Some(parent) if Some(p.node) == top => parent.clone(),
                Some(parent) => format!("{parent}/{name}"),
            };
            if let Some(table) = folder.contents_table() {
                let rows: Vec<(u32, BTreeMap<u16, PropertyValue>)> = table
                    .rows_matrix()
                    .map(|r| (u32::from(r.id()), row_values(table.as_ref(), r)))
                    .collect();
                self.counts.expected += rows.len() as u64;
                for (node, row) in rows {
                    self.item::<L>(store, node, &row, &here);
                }
            }
            if let Some(table) = folder.hierarchy_table() {
                let mut children = Vec::new();
                for row in table.rows_matrix() {
                    let node = u32::from(row.id());
                    let normal =
                        matches!(NodeId::from(node).id_type(), Ok(NodeIdType::NormalFolder));
                    if normal && seen.insert(node) {
                        let stated = match row_values(table.as_ref(), row).get(&PR_CONTENT_COUNT) {
                            Some(PropertyValue::Integer32(n)) => u64::try_from(*n).ok(),
                            _ => None,
                        };
                        children.push(Pending {
                            node,
                            parent: Some(here.clone()),
                            stated,
                        });
                    }
                }
                // Popped in table order.
                pending.extend(children.into_iter().rev());
            }
        }
    }

    /// How a failed part of the store is named in the skip list.
    fn locator(&self, item: u64) -> String {
        format!("{}#{item}", self.path)
    }

    /// Reads the item `node` of the folder `folder`: its documents, or a failure. A failed
    /// item is still indexed from what its row of the folder's contents table holds (class,
    /// subject, sender's name, dates), flagged `pst-row-only`: found by a search, but counted
    /// as failed.
    fn item<L: Layout>(
        &mut self,
        store: &Rc<L::Store>,
        node: u32,
        row: &BTreeMap<u16, PropertyValue>,
        folder: &str,
    ) {
        let item = u64::from(node) * PART_SPAN;
        let read = crate::isolate::catch(|| {
            let mut skips = Vec::new();
            let docs = self.message::<L>(store, node, item, folder, &mut skips);
            docs.map(|d| (d, skips))
        });
        let at = self.locator(item);
        match read {
            Ok(Ok((docs, skips))) => {
                self.counts.emitted += 1;
                docs.into_iter().for_each(&mut *self.emit);
                for (p, s) in skips {
                    (self.skip)(p, s);
                }
            }
            Ok(Err(why)) => {
                self.counts.failed += 1;
                (self.skip)(
                    at,
                    Skip::Unextractable(format!(
                        "item {node} of folder {folder} could not be read: {why}; indexed from \
                         its row of the folder's table only"
                    )),
                );
                let doc = self.row_doc(row, item, folder);
                (self.emit)(doc);
            }
            Err(panic) => {
                self.counts.failed += 1;
                (self.skip)(at, Skip::ParserCrash(panic));
                let doc = self.row_doc(row, item, folder);
                (self.emit)(doc);
            }
        }
    }

    /// The document of an item that could not be opened, from its contents-table row.
    fn row_doc(&self, row: &BTreeMap<u16, PropertyValue>, item: u64, folder: &str) -> Doc {
        let values = Values::new(|id| row.get(&id));
        let mut doc = self.doc_of(&values, item, folder, None);
        doc.flags.push(ROW_ONLY);
        doc
    }

    /// The documents of the message `node`: itself, then its attachments and attached
    /// messages. Parts that cannot be read are added to `skips`.
    fn message<L: Layout>(
        &self,
        store: &Rc<L::Store>,
        node: u32,
        item: u64,
        folder: &str,
        skips: &mut Vec<(String, Skip)>,
    ) -> io::Result<Vec<Doc>> {
        let id = L::as_dyn(store)
            .properties()
            .make_entry_id(NodeId::from(node))?;
        let message = L::message(store, &id)?;
        let mut out = vec![self.doc(message.as_ref(), item, folder, None)];
        let Some(table) = message.attachment_table() else {
            return Ok(out);
        };
        let rows: Vec<(u32, BTreeMap<u16, PropertyValue>)> = table
            .rows_matrix()
            .map(|r| (u32::from(r.id()), row_values(table.as_ref(), r)))
            .collect();
        for (n, (sub, row)) in rows.into_iter().enumerate() {
            let part = item + n as u64 + 1;
            if n as u64 + 1 >= PART_SPAN {
                skips.push((self.locator(part), Skip::NestedTooDeep));
                continue;
            }
            match L::attachment(&message, NodeId::from(sub)) {
                Ok(a) => self.attachment(a.as_ref(), part, folder, &mut out, skips),
                Err(e) => {
                    // Still listed on the message, as its attachment table describes it.
                    let mut values = Values::new(|id| row.get(&id));
                    values.ansi = msg::ansi_encoding(&values);
                    let size = values.long(PR_ATTACH_SIZE).map_or(0, |s| s.max(0) as u64);
                    let name = msg::attachment_name(&values);
                    let entry =
                        msg::attachment_entry(&values, name, msg::is_embedded(&values), size);
                    out[0].attachments.push(entry);
                    skips.push((
                        self.locator(part),
                        Skip::Unextractable(format!("an attachment that could not be read: {e}")),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The document of one message (a store's item or an attached message).
    fn doc(&self, message: &dyn Message, item: u64, folder: &str, parent: Option<u64>) -> Doc {
        let mut values = Values::new(|id| message.properties().get(id));
        if let Some(table) = message.recipient_table() {
            values.recipients = table
                .rows_matrix()
                .map(|row| {
                    let row = row_values(table.as_ref(), row);
                    let mut r = Values::new(|id| row.get(&id));
                    r.ansi = msg::ansi_encoding(&values);
                    Recipient::of(&r)
                })
                .collect();
        }
        self.doc_of(&values, item, folder, parent)
    }

    /// The document of the properties `values` of a message.
    fn doc_of<'p, F: Fn(u16) -> Option<&'p PropertyValue>>(
        &self,
        values: &Values<'p, F>,
        item: u64,
        folder: &str,
        parent: Option<u64>,
    ) -> Doc {
        let mut values = Values {
            get: &values.get,
            ansi: msg::ansi_encoding(values),
            recipients: values.recipients(),
        };
        let source = Provenance {
            path: self.path.to_owned(),
            offset: 0,
            length: self.length,
            // A message is a node of the store, not a run of bytes: none to hash (see
            // `part_contents`).
            sha256: String::new(),
            item: Some(item),
        };
        let mut doc = Doc::new(Kind::Email, self.format.as_str(), source);
        doc.folder = Some(folder.to_owned());
        doc.parent = parent;
        if parent.is_some() {
            doc.flags.push("forwarded");
        }
        values.ansi = msg::ansi_encoding(&values);
        msg::fill(&mut doc, &values, self.now);
        doc
    }

    /// Adds attachment `part` to the message last in `out` (its entry, and its document when
    /// trawl extracts its text, or the attached message's).
    fn attachment(
        &self,
        a: &dyn PstAttachment,
        part: u64,
        folder: &str,
        out: &mut Vec<Doc>,
        skips: &mut Vec<(String, Skip)>,
    ) {
        let mut values = Values::new(|id| a.properties().get(id));
        let Some(carrier) = out.first() else { return };
        values.ansi = msg::ansi_encoding(&values);
        let name = msg::attachment_name(&values);
        let (data, embedded) = match a.data() {
            Some(AttachmentData::Binary(b)) => (Some(b.buffer()), None),
            Some(AttachmentData::Message(m)) => (None, Some(m.clone())),
            None => (None, None),
        };
        let entry = msg::attachment_entry(
            &values,
            name.clone(),
            embedded.is_some() || msg::is_embedded(&values),
            data.map_or(0, |d| d.len() as u64),
        );
        let carrier_id = carrier.id;
        out[0].attachments.push(entry);
        if let Some(inner) = embedded {
            let doc = self.doc(inner.as_ref(), part, folder, Some(carrier_id));
            out.push(doc);
            // The crate opens the attachments of a store's message only, not of an attached one.
            let nested = inner
                .attachment_table()
                .map_or(0, |t| t.rows_matrix().count());
            for n in 0..nested {
                skips.push((
                    format!("{}/{n}", self.locator(part)),
                    Skip::Unextractable(
                        "an attachment of an attached message, which outlook-pst does not open"
                            .into(),
                    ),
                ));
            }
            return;
        }
        let Some(data) = data else { return };
        let name = name.unwrap_or_else(|| "attachment".into());
        let source = Provenance {
            path: self.path.to_owned(),
            offset: 0,
            length: self.length,
            sha256: sha256_hex(data),
            item: Some(part),
        };
        if let Some(mut d) = super::eml::attachment_doc(&out[0], source, &name, data) {
            d.folder = Some(folder.to_owned());
            out.push(d);
        }
    }
}

/// The values of one row of a table (a recipient, a folder), by property id.
fn row_values(table: &dyn TableContext, row: &TableRowData) -> BTreeMap<u16, PropertyValue> {
    let context = table.context();
    let Ok(columns) = row.columns(context) else {
        return BTreeMap::new();
    };
    context
        .columns()
        .iter()
        .zip(columns)
        .filter_map(|(column, value)| {
            let value = table
                .read_column(value.as_ref()?, column.prop_type())
                .ok()?;
            Some((column.prop_id(), value))
        })
        .collect()
}

/// The properties of a message, attachment or table row, as the shared mapping reads them.
struct Values<'p, F: Fn(u16) -> Option<&'p PropertyValue>> {
    get: F,
    /// How PT_STRING8 values are decoded (the message's code page).
    ansi: &'static encoding_rs::Encoding,
    recipients: Vec<Recipient>,
}

impl<'p, F: Fn(u16) -> Option<&'p PropertyValue>> Values<'p, F> {
    fn new(get: F) -> Self {
        Values {
            get,
            ansi: encoding_rs::WINDOWS_1252,
            recipients: Vec::new(),
        }
    }
}

impl<'p, F: Fn(u16) -> Option<&'p PropertyValue>> Mapi for Values<'p, F> {
    fn string(&self, id: u16) -> Option<String> {
        let s = match (self.get)(id)? {
            PropertyValue::Unicode(v) => String::from_utf16_lossy(v.buffer()),
            PropertyValue::String8(v) => self
                .ansi
                .decode_without_bom_handling(v.buffer())
                .0
                .into_owned(),
            _ => return None,
        };
        msg::clean_string(s)
    }
    fn long(&self, id: u16) -> Option<i32> {
        match (self.get)(id)? {
            PropertyValue::Integer32(v) => Some(*v),
            _ => None,
        }
    }
    fn time(&self, id: u16) -> Option<DateTime<Utc>> {
        match (self.get)(id)? {
            PropertyValue::Time(t) => msg::filetime(u64::try_from(*t).ok()?),
            _ => None,
        }
    }
    fn binary(&self, id: u16) -> Option<Vec<u8>> {
        match (self.get)(id)? {
            PropertyValue::Binary(v) => Some(v.buffer().to_vec()),
            _ => None,
        }
    }
    fn bytes(&self, id: u16) -> Option<Vec<u8>> {
        match (self.get)(id)? {
            PropertyValue::Binary(v) => Some(v.buffer().to_vec()),
            PropertyValue::String8(v) => Some(v.buffer().to_vec()),
            _ => None,
        }
    }
    fn recipients(&self) -> Vec<Recipient> {
        self.recipients
            .iter()
            .map(|r| Recipient {
                kind: r.kind,
                name: r.name.clone(),
                smtp: r.smtp.clone(),
                email: r.email.clone(),
            })
            .collect()
    }
}

/// An OST in the PST's Unicode layout, shown to the crate as that PST: the header's client
/// magic (`SO`) and client version read as a PST's, and its two checksums made again over what
/// the crate reads. Every other byte is the file's.
struct AsPst<R> {
    inner: R,
    header: Vec<u8>,
    pos: u64,
}

impl<R: Read + Seek> AsPst<R> {
    fn new(mut inner: R) -> io::Result<Self> {
        let mut header = vec![0u8; UNICODE_HEADER_LEN];
        inner.seek(SeekFrom::Start(0))?;
        inner.read_exact(&mut header)?;
        header[8..10].copy_from_slice(b"SM");
        header[12..14].copy_from_slice(&PST_CLIENT_VERSION.to_le_bytes());
        let partial = crc(&header[8..8 + 471]);
        header[4..8].copy_from_slice(&partial.to_le_bytes());
        let full = crc(&header[8..524]);
        header[524..528].copy_from_slice(&full.to_le_bytes());
        inner.seek(SeekFrom::Start(0))?;
        Ok(AsPst {
            inner,
            header,
            pos: 0,
        })
    }
}

impl<R: Read + Seek> Read for AsPst<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let start = self.pos;
        let header = self.header.len() as u64;
        if start < header {
            let end = (start + n as u64).min(header);
            let len = (end - start) as usize;
            buf[..len].copy_from_slice(&self.header[start as usize..end as usize]);
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Seek> Seek for AsPst<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = self.inner.seek(to)?;
        Ok(self.pos)
    }
}

/// The checksum of [MS-PST] 5.3: CRC-32 (reflected, polynomial 0xEDB88320) from zero, without
/// the final inversion.
fn crc(data: &[u8]) -> u32 {
    let mut crc = 0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// Why a part of a store cannot be given back.
#[derive(Debug, PartialEq, Eq)]
pub enum PartError {
    NotThere,
    /// The part is a message (the store's or an attached one): a node, not bytes.
    Message,
    /// The store cannot be read any more.
    Unreadable(String),
}

/// The bytes `show --raw` gives for the part numbered `item` of the store `reader` reads: an
/// attachment's contents. Messages are refused.
pub fn part_contents<R: Read + Seek + 'static>(reader: R, item: u64) -> Result<Vec<u8>, PartError> {
    let part = item % PART_SPAN;
    if part == 0 {
        return Err(PartError::Message);
    }
    let node = u32::try_from(item / PART_SPAN).map_err(|_| PartError::NotThere)?;
    let found = crate::isolate::catch(|| match open(reader) {
        Ok(Opened::Unicode(s)) => attachment_bytes::<Unicode>(&s, node, part),
        Ok(Opened::Ansi(s)) => attachment_bytes::<Ansi>(&s, node, part),
        Err(e) => Err(PartError::Unreadable(e.to_string())),
    });
    found.unwrap_or_else(|panic| Err(PartError::Unreadable(panic)))
}

fn attachment_bytes<L: Layout>(
    store: &Rc<L::Store>,
    node: u32,
    part: u64,
) -> Result<Vec<u8>, PartError> {
    let id = L::as_dyn(store)
        .properties()
        .make_entry_id(NodeId::from(node))
        .map_err(|_| PartError::NotThere)?;
    let message = L::message(store, &id).map_err(|_| PartError::NotThere)?;
    let table = message.attachment_table().ok_or(PartError::NotThere)?;
    let index = usize::try_from(part - 1).map_err(|_| PartError::NotThere)?;
    let sub = table
        .rows_matrix()
        .nth(index)
        .map(|r| u32::from(r.id()))
        .ok_or(PartError::NotThere)?;
    let a = L::attachment(&message, NodeId::from(sub)).map_err(|_| PartError::NotThere)?;
    match a.data() {
        Some(AttachmentData::Binary(b)) => Ok(b.buffer().to_vec()),
        Some(AttachmentData::Message(_)) => Err(PartError::Message),
        None => Err(PartError::NotThere),
    }
}

/// What [`parse`] makes of a store.
#[derive(Debug)]
pub struct Parsed {
    pub docs: Vec<Doc>,
    pub counts: Counts,
    /// Failed items and parts: (where, why).
    pub skips: Vec<(String, Skip)>,
}

/// Reads the store in `bytes` as indexing would: its documents, what it states, and its
/// failures. For tests, benches and the fuzz target.
pub fn parse(bytes: &[u8], path: &str, now: DateTime<Utc>) -> Result<Parsed, Skip> {
    let format = format_of(bytes)?;
    let mut docs = Vec::new();
    let mut skips = Vec::new();
    let counts = read_store(
        io::Cursor::new(bytes.to_vec()),
        path,
        bytes.len() as u64,
        format,
        now,
        &mut |d| docs.push(d),
        &mut |p, s| skips.push((p, s)),
    )?;
    Ok(Parsed {
        docs,
        counts,
        skips,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/pst")
                .join(name),
        )
        .unwrap()
    }

    /// A store of the shared corpora (tests that read one are ignored when they are absent).
    fn corpus(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpora/formats")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn parsed(bytes: &[u8], name: &str) -> (Vec<Doc>, Counts, Vec<(String, Skip)>) {
        let p = parse(bytes, name, Utc::now()).unwrap_or_else(|s| panic!("{name}: {s}"));
        (p.docs, p.counts, p.skips)
    }

    #[test]
    fn the_checksum_is_the_headers_own() {
        let bytes = fixture("support.pst");
        let stated = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        assert_eq!(crc(&bytes[8..8 + 471]), stated);
        let full = u32::from_le_bytes([bytes[524], bytes[525], bytes[526], bytes[527]]);
        assert_eq!(crc(&bytes[8..524]), full);
    }

    /// go-pst `data/support.pst`: readpst writes 17 .eml and pffexport finds 17 messages, in
    /// two folders; two of them carry an attachment.
    #[test]
    fn every_message_of_a_unicode_store() {
        let (docs, counts, skips) = parsed(&fixture("support.pst"), "support.pst");
        assert_eq!(
            counts,
            Counts {
                expected: 17,
                emitted: 17,
                failed: 0
            }
        );
        assert!(skips.is_empty(), "{skips:?}");
        let mails: Vec<&Doc> = docs.iter().filter(|d| d.kind == Kind::Email).collect();
        assert_eq!(mails.len(), 17);
        let in_folder = |f: &str| {
            mails
                .iter()
                .filter(|d| d.folder.as_deref() == Some(f))
                .count()
        };
        assert_eq!(in_folder("support/Drafts"), 6);
        assert_eq!(in_folder("support/Sent Messages"), 11);
        let with_attachments: usize = mails.iter().map(|d| d.attachments.len()).sum();
        assert_eq!(with_attachments, 2);
        assert!(mails.iter().all(|d| d.format == "pst"));
        assert!(mails
            .iter()
            .all(|d| d.source.item.unwrap() % PART_SPAN == 0 && d.source.sha256.is_empty()));
    }

    /// A B-tree page that names itself as its child is refused before the crate recurses
    /// into it.
    #[test]
    fn a_page_that_is_its_own_child_is_refused() {
        let mut bytes = fixture("support.pst");
        let root = u64::from_le_bytes(bytes[240..248].try_into().unwrap()) as usize;
        let page = &mut bytes[root..root + PAGE];
        // One intermediate entry, whose child is the page itself.
        page[488..492].copy_from_slice(&[1, 20, 24, 1]);
        page[16..24].copy_from_slice(&(root as u64).to_le_bytes());
        match parse(&bytes, "cyclic.pst", Utc::now()) {
            Err(Skip::Unextractable(why)) => assert!(why.contains("reached twice"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    /// Garbage and cut stores are refused or read in part, never a panic.
    #[test]
    fn broken_stores_are_refused() {
        let bytes = fixture("support.pst");
        for cut in [0, 4, 12, 600, 4096, 70_000, bytes.len() / 2] {
            let _ = parse(&bytes[..cut], "cut.pst", Utc::now());
        }
        let mut flipped = bytes.clone();
        for i in (600..flipped.len()).step_by(997) {
            flipped[i] ^= 0x5a;
        }
        let _ = parse(&flipped, "flipped.pst", Utc::now());
        assert!(matches!(
            parse(b"!BDN\0\0\0\0SO\x24\0", "new.ost", Utc::now()),
            Err(Skip::Unextractable(_))
        ));
    }

    #[test]
    #[cfg_attr(
        not(trawl_corpora),
        ignore = "needs ../shared/corpora, absent at build time"
    )]
    fn corpora_counts() {
        for (name, expected) in [
            ("pst/go-pst/32-bit.pst", 1),
            ("pst/pstsdk/test_ansi.pst", 1),
            ("pst/tika/testPST.pst", 7),
            ("ost/aspose/SampleOstFile.ost", 92),
            ("ost/aspose/test.ost", 18),
        ] {
            let bytes = corpus(name);
            let (docs, counts, skips) = parsed(&bytes, name);
            eprintln!("{name}: {counts:?} docs {} skips {skips:?}", docs.len());
            assert_eq!(counts.expected, expected, "{name}");
        }
    }
}
