//! People: the persons behind the identities of an index (issue #15, part 4).
//!
//! One person writes as many identities: `dana.reyes@…`, `Reyes, Dana`, `twitter:700000001`,
//! `slack:u01dana`, an Exchange DN. This module works out, from the whole index, which
//! identities are one person, and counts messages per person:
//!
//! 1. [`observe`] reads the stored envelope of every top-level item once and records, for each
//!    address or account, the display names written with it ([`Observations`]). That is the
//!    costly part; [`load`] caches it in the index directory, keyed to the searcher's segments
//!    and their deletions, so a cache of another commit is never used. `trawl index` fills the
//!    cache at the end of a run ([`observations`]), so searches do not pay for it.
//! 2. [`group::group`] joins identities into [`Person`]s by explicit rules, each link with its
//!    evidence and confidence, under the user's [`Aliases`] file.
//! 3. [`count`] counts hits of a query per person and per pair of persons from the sender and
//!    recipient columns, once per message (the caller passes the scoped query of
//!    [`crate::query::family`]).
//!
//! Nothing here prints: the `people` and `graph` commands, facets and pairs, or a server, use
//! [`People`] and the counts.

pub mod aliases;
pub mod count;
pub mod graph;
pub mod group;
pub mod names;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use tantivy::schema::Value;
use tantivy::{Searcher, TantivyDocument};

pub use aliases::Aliases;
pub use group::{Identity, Link, Person, Rule};
pub use names::IdKind;

use crate::doc::{Envelope, Mailbox};
use crate::index::reader::Opened;
use crate::index::schema::{self, Fields};

/// The default aliases file, read when present: `INDEX/aliases.txt`.
pub const ALIASES_FILE: &str = "aliases.txt";
/// The observation cache in the index directory.
const CACHE_FILE: &str = "people-cache.json";
/// Bumped when what [`observe`] records changes, so an older cache is read again.
const CACHE_VERSION: u32 = 1;

/// What one identity was seen with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdObs {
    /// Display names written with it, and in how many messages.
    pub names: BTreeMap<String, u32>,
    /// Messages that named it.
    pub seen: u32,
}

/// Every identity of an index with the names it was seen with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observations {
    pub ids: BTreeMap<String, IdObs>,
}

impl Observations {
    /// Records one mailbox: its address (or, without one, its name as a `name:` identity).
    pub fn add(&mut self, m: &Mailbox) {
        let mut keyed = String::new();
        let Some((id, name)) = identity(m, &mut keyed) else {
            return;
        };
        // Most identities recur: look them up before allocating a key.
        let e = match self.ids.get_mut(id) {
            Some(e) => e,
            None => self.ids.entry(id.to_owned()).or_default(),
        };
        e.seen += 1;
        if let Some(n) = name {
            match e.names.get_mut(n) {
                Some(count) => *count += 1,
                None => {
                    e.names.insert(n.to_owned(), 1);
                }
            }
        }
    }

    /// Records every party of an envelope.
    pub fn add_envelope(&mut self, e: &Envelope) {
        self.add_parties(e.from.as_ref(), &e.to, &e.cc, &e.bcc);
    }

    /// Records the sender and every recipient of a document as its stored envelope holds them.
    pub fn add_parties(
        &mut self,
        from: Option<&Mailbox>,
        to: &[Mailbox],
        cc: &[Mailbox],
        bcc: &[Mailbox],
    ) {
        for m in parties(from, to, cc, bcc) {
            self.add(m);
        }
    }
}

/// The identity a mailbox counts under (its address, or without one its name as a `name:`
/// identity, written into `keyed`) and the display name written with it.
fn identity<'a>(m: &'a Mailbox, keyed: &'a mut String) -> Option<(&'a str, Option<&'a str>)> {
    let name = m.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if !m.address.is_empty() {
        return Some((m.address.as_str(), name));
    }
    let k = names::name_key(name?)?;
    *keyed = format!("name:{}", k.key);
    Some((keyed.as_str(), name))
}

/// [`Observations`] as one indexing worker gathers them, a few per message: hashed rather than
/// ordered, since a worker's tally is looked up far more often than it is read. Made
/// [`Observations`] once, at the end of the run.
#[derive(Debug, Default)]
pub struct Tally {
    ids: FxHashMap<String, (u32, FxHashMap<String, u32>)>,
}

/// The sender, then every recipient.
pub fn parties<'a>(
    from: Option<&'a Mailbox>,
    to: &'a [Mailbox],
    cc: &'a [Mailbox],
    bcc: &'a [Mailbox],
) -> impl Iterator<Item = &'a Mailbox> {
    from.into_iter().chain(to).chain(cc).chain(bcc)
}

impl Tally {
    /// Records mailboxes named by one message ([`parties`]), as [`Observations::add`] does.
    pub fn add_all<'a>(&mut self, mailboxes: impl IntoIterator<Item = &'a Mailbox>) {
        let mut keyed = String::new();
        for m in mailboxes {
            let Some((id, name)) = identity(m, &mut keyed) else {
                continue;
            };
            let (seen, names) = match self.ids.get_mut(id) {
                Some(e) => e,
                None => self.ids.entry(id.to_owned()).or_default(),
            };
            *seen += 1;
            if let Some(n) = name {
                match names.get_mut(n) {
                    Some(count) => *count += 1,
                    None => {
                        names.insert(n.to_owned(), 1);
                    }
                }
            }
        }
    }

    /// Adds these counts to `obs`.
    pub fn add_to(self, obs: &mut Observations) {
        for (id, (seen, names)) in self.ids {
            let e = obs.ids.entry(id).or_default();
            e.seen += seen;
            for (name, n) in names {
                *e.names.entry(name).or_insert(0) += n;
            }
        }
    }
}

/// Reads the envelope of every top-level item of the index (parts carry their message's).
pub fn observe(searcher: &Searcher, fields: &Fields) -> tantivy::Result<Observations> {
    let mut obs = Observations::default();
    for reader in searcher.segment_readers() {
        let roots = reader.fast_fields().u64(schema::ROOT)?;
        let store = reader.get_store_reader(64)?;
        let alive: Vec<u32> = reader.doc_ids_alive().collect();
        // The store iterates alive documents in id order, one block decompressed at a time.
        for (doc, stored) in alive
            .into_iter()
            .zip(store.iter::<TantivyDocument>(reader.alive_bitset()))
        {
            if roots.first(doc).is_some() {
                continue;
            }
            let Ok(stored) = stored else { continue };
            let Some(json) = stored.get_first(fields.envelope).and_then(|v| v.as_str()) else {
                continue;
            };
            if let Ok(e) = serde_json::from_str::<Envelope>(json) {
                obs.add_envelope(&e);
            }
        }
    }
    Ok(obs)
}

/// What the index looks like to `searcher`: its segments and their deletions. A cache made
/// for another key is stale.
pub fn index_key(searcher: &Searcher) -> String {
    let mut parts: Vec<String> = searcher
        .segment_readers()
        .iter()
        .map(|r| {
            format!(
                "{}.{}",
                r.segment_id().uuid_string(),
                r.delete_opstamp().unwrap_or(0)
            )
        })
        .collect();
    parts.sort();
    format!("v{CACHE_VERSION}:{}", parts.join(","))
}

#[derive(Serialize, Deserialize)]
struct Cache {
    key: String,
    observations: Observations,
}

/// The persons of an index, with lookups from any identity.
#[derive(Debug, Clone, Default)]
pub struct People {
    pub persons: Vec<Person>,
    by_identity: HashMap<String, usize>,
}

/// A `person:` value that matched no person, or several.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("no person goes by `{0}` (see `trawl people`)")]
    NotFound(String),
    #[error("`{name}` could be {} persons: {}; give an address or a full name", .candidates.len(), .candidates.join(", "))]
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
}

impl People {
    /// Groups `obs` under `aliases`.
    pub fn new(obs: &Observations, aliases: &Aliases) -> People {
        let persons = group::group(obs, aliases);
        let mut by_identity = HashMap::new();
        for (i, p) in persons.iter().enumerate() {
            for id in &p.identities {
                by_identity.insert(id.id.clone(), i);
            }
        }
        People {
            persons,
            by_identity,
        }
    }

    /// The index of the person an identity (address, account, `name:` key) belongs to.
    pub fn of_identity(&self, id: &str) -> Option<usize> {
        self.by_identity.get(id).copied()
    }

    /// The id of the person an identity belongs to (its most seen e-mail address or account).
    pub fn person_id(&self, id: &str) -> Option<&str> {
        Some(self.persons[self.of_identity(id)?].id.as_str())
    }

    /// The best display name of the person an identity belongs to, when it has one other
    /// than the identity itself.
    pub fn name_of(&self, id: &str) -> Option<&str> {
        let p = &self.persons[self.of_identity(id)?];
        (p.name != id).then_some(p.name.as_str())
    }

    /// The persons a `person:` value names: an identity of theirs (address, account, person
    /// id), or a name: the full name (`Dana Reyes`, `Reyes, Dana`), else one word of it when
    /// only one person has that word.
    pub fn lookup(&self, value: &str) -> Result<Vec<usize>, LookupError> {
        let id = aliases::normalize_identity(value);
        if let Some(i) = self.of_identity(&id) {
            return Ok(vec![i]);
        }
        let key = names::name_key(value);
        if let Some(k) = key.as_ref().filter(|k| k.words >= 2) {
            let v: Vec<usize> = (0..self.persons.len())
                .filter(|&i| self.has_name(i, |nk| nk.key == k.key))
                .collect();
            if !v.is_empty() {
                return Ok(v);
            }
        }
        let words: Vec<String> = value
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        if words.is_empty() {
            return Err(LookupError::NotFound(value.to_owned()));
        }
        let v: Vec<usize> = (0..self.persons.len())
            .filter(|&i| {
                let p = &self.persons[i];
                let mine: Vec<String> = std::iter::once(p.name.as_str())
                    .chain(
                        p.identities
                            .iter()
                            .flat_map(|id| id.names.iter().map(|(n, _)| n.as_str())),
                    )
                    .flat_map(|n| {
                        n.split(|c: char| !c.is_alphanumeric())
                            .map(str::to_lowercase)
                    })
                    .collect();
                words.iter().all(|w| mine.contains(w))
            })
            .collect();
        match v.len() {
            0 => Err(LookupError::NotFound(value.to_owned())),
            1 => Ok(v),
            _ => {
                let mut candidates: Vec<String> = v
                    .iter()
                    .take(5)
                    .map(|&i| format!("{} ({})", self.persons[i].name, self.persons[i].id))
                    .collect();
                if v.len() > 5 {
                    candidates.push(format!("{} more", v.len() - 5));
                }
                Err(LookupError::Ambiguous {
                    name: value.to_owned(),
                    candidates,
                })
            }
        }
    }

    fn has_name(&self, i: usize, pred: impl Fn(&names::NameKey) -> bool) -> bool {
        let p = &self.persons[i];
        std::iter::once(p.name.as_str())
            .chain(
                p.identities
                    .iter()
                    .flat_map(|id| id.names.iter().map(|(n, _)| n.as_str())),
            )
            .filter_map(names::name_key)
            .any(|k| pred(&k))
    }

    /// The addresses and accounts of the persons `value` names, for the query language
    /// (`person:`): what the sender and recipient columns hold.
    pub fn addresses(&self, value: &str) -> Result<Vec<String>, LookupError> {
        let mut out: Vec<String> = self
            .lookup(value)?
            .into_iter()
            .flat_map(|i| &self.persons[i].identities)
            .filter(|id| id.kind != IdKind::Name)
            .map(|id| id.id.clone())
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// One person's counts among the hits of a query.
#[derive(Debug, Clone)]
pub struct PersonCount<'p> {
    pub person: &'p Person,
    pub count: count::NodeCount,
}

/// The persons taking part in the hits of `query` narrowed to `scope` (messages, one copy
/// each, by default), most messages first, ties by person id; and how many hits there were.
pub fn count_persons<'p>(
    searcher: &Searcher,
    fields: &Fields,
    people: &'p People,
    query: &dyn tantivy::query::Query,
    scope: crate::query::family::Scope,
    file_dates: bool,
) -> tantivy::Result<(Vec<PersonCount<'p>>, u64)> {
    let scoped = crate::query::family::scope(searcher, fields, query, scope)?;
    let nodes = count::Nodes::new(people, count::By::Person);
    let counts = nodes.count(searcher, scoped.query.as_ref(), false, file_dates)?;
    let mut v: Vec<PersonCount<'p>> = counts
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.messages > 0)
        .map(|(i, c)| PersonCount {
            person: &people.persons[i],
            count: *c,
        })
        .collect();
    v.sort_by(|a, b| {
        b.count
            .messages
            .cmp(&a.count.messages)
            .then_with(|| a.person.id.cmp(&b.person.id))
    });
    Ok((v, counts.hits))
}

/// Where the aliases come from: `--aliases FILE`, else `INDEX/aliases.txt` when present.
pub fn aliases_path(index: &Path, given: Option<&Path>) -> Option<PathBuf> {
    match given {
        Some(p) => Some(p.to_owned()),
        None => {
            let p = index.join(ALIASES_FILE);
            p.is_file().then_some(p)
        }
    }
}

/// The persons of `opened`, grouped under the aliases file (see [`aliases_path`]). The
/// observations come from the cache when it is of this very index state; otherwise they are
/// read and the cache rewritten (silently not, when the index directory is read-only).
pub fn load(opened: &Opened, aliases: Option<&Path>) -> anyhow::Result<People> {
    let aliases = match aliases_path(&opened.dir, aliases) {
        Some(p) => Aliases::read(&p)?,
        None => Aliases::default(),
    };
    let obs = observations(opened)?;
    Ok(People::new(&obs, &aliases))
}

/// [`load`], done the first time something asks: a search that shows no person never pays
/// for it.
pub struct Lazy<'a> {
    opened: &'a Opened,
    aliases: Option<PathBuf>,
    cell: std::cell::OnceCell<People>,
}

impl<'a> Lazy<'a> {
    pub fn new(opened: &'a Opened, aliases: Option<&Path>) -> Lazy<'a> {
        Lazy {
            opened,
            aliases: aliases.map(Path::to_owned),
            cell: std::cell::OnceCell::new(),
        }
    }

    /// The persons, loaded on first use.
    pub fn get(&self) -> anyhow::Result<&People> {
        if let Some(p) = self.cell.get() {
            return Ok(p);
        }
        let p = load(self.opened, self.aliases.as_deref())?;
        Ok(self.cell.get_or_init(|| p))
    }

    /// The addresses of the persons a `person:` value names, for
    /// [`crate::query::compile_with_people`].
    pub fn addresses(&self, value: &str) -> Result<Vec<String>, String> {
        let people = self.get().map_err(|e| format!("{e:#}"))?;
        people.addresses(value).map_err(|e| e.to_string())
    }
}

/// The observations of `opened`, cached (see [`load`]).
pub fn observations(opened: &Opened) -> anyhow::Result<Observations> {
    observations_in(&opened.dir, &opened.searcher(), &opened.fields)
}

/// [`observations`] of the index in `dir` as `searcher` reads it: what the end of an indexing
/// run calls, with the run lock held.
pub fn observations_in(
    dir: &Path,
    searcher: &Searcher,
    fields: &Fields,
) -> anyhow::Result<Observations> {
    let key = index_key(searcher);
    if let Some(obs) = cached_observations(dir, &key) {
        return Ok(obs);
    }
    let observations = observe(searcher, fields)?;
    Ok(keep(dir, key, observations))
}

/// Writes `observations` as the cache of the index state `key` (silently not, when the
/// directory is read-only) and hands them back.
fn keep(dir: &Path, key: String, observations: Observations) -> Observations {
    let cache = Cache { key, observations };
    if let Ok(json) = serde_json::to_vec(&cache) {
        if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) {
            use std::io::Write;
            if tmp.write_all(&json).is_ok() {
                let _ = tmp.persist(dir.join(CACHE_FILE));
            }
        }
    }
    cache.observations
}

/// The observations an indexing run starts from, so that it can gather its own as it parses
/// instead of reading every envelope back at the end: none for an empty index, the cache when
/// it is of the index as `searcher` reads it, else `None` (the run then reads them back).
pub fn before_run(dir: &Path, searcher: &Searcher) -> Option<Observations> {
    if searcher.num_docs() == 0 {
        return Some(Observations::default());
    }
    cached_observations(dir, &index_key(searcher))
}

/// Caches the observations of the index in `dir` as `searcher` reads it, when an indexing run
/// gathered them itself: what it started from ([`before_run`]) plus those of every top-level
/// document it added. Only right when the run deleted nothing.
pub fn after_run(dir: &Path, searcher: &Searcher, observations: Observations) {
    keep(dir, index_key(searcher), observations);
}

/// The cached observations of the index in `dir`, when the cache is of its state `key`.
fn cached_observations(dir: &Path, key: &str) -> Option<Observations> {
    let bytes = std::fs::read(dir.join(CACHE_FILE)).ok()?;
    let c = serde_json::from_slice::<Cache>(&bytes).ok()?;
    (c.key == key).then_some(c.observations)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mb(address: &str, name: Option<&str>) -> Mailbox {
        Mailbox {
            address: address.into(),
            name: name.map(str::to_owned),
            written: None,
        }
    }

    fn sample() -> People {
        let mut o = Observations::default();
        for _ in 0..3 {
            o.add(&mb("dana.reyes@x.org", Some("Dana Reyes")));
            o.add(&mb("slack:u01dana", Some("Reyes, Dana")));
            o.add(&mb("dana@home.example", Some("Dana")));
            o.add(&mb("", Some("Dana Reyes")));
            o.add(&mb("dana.white@y.org", Some("Dana White")));
        }
        People::new(&o, &Aliases::default())
    }

    #[test]
    fn lookups_by_identity_full_name_and_word() {
        let p = sample();
        let dana = p.of_identity("slack:u01dana").unwrap();
        assert_eq!(p.of_identity("dana.reyes@x.org"), Some(dana));
        assert_eq!(p.of_identity("name:dana reyes"), Some(dana));
        assert_eq!(p.persons[dana].name, "Dana Reyes");
        assert_eq!(p.persons[dana].id, "dana.reyes@x.org");
        assert_eq!(p.lookup("DANA.REYES@x.org").unwrap(), vec![dana]);
        assert_eq!(p.lookup("Reyes, Dana").unwrap(), vec![dana]);
        assert_eq!(p.lookup("reyes").unwrap(), vec![dana]);
        assert!(matches!(
            p.lookup("dana"),
            Err(LookupError::Ambiguous { .. })
        ));
        assert!(matches!(p.lookup("nobody"), Err(LookupError::NotFound(_))));
        assert_eq!(
            p.addresses("Dana Reyes").unwrap(),
            vec!["dana.reyes@x.org".to_string(), "slack:u01dana".to_string()]
        );
        assert_eq!(p.name_of("dana@home.example"), Some("Dana"));
    }
}
