//! Grouping identities into persons: a union-find over identities, joined by explicit link
//! rules, each link with its evidence and a confidence, strongest links first, under the
//! constraints of the aliases file.
//!
//! The rules, strongest first:
//!
//! | rule | joins | confidence |
//! |---|---|---|
//! | `aliases-file` | identities a `same` line names | 1.0 |
//! | `gateway-address` | an `IMCEANOTES-`/`IMCEAEX-` address and the address or DN it wraps | 0.95 |
//! | `x500-mailbox` | an Exchange DN and the address of its organization whose local part is its mailbox name (`/o=enron/…/cn=sscott5`, `sscott5@enron.com`) | 0.85 |
//! | `same-name` | identities that go by the same full name (`Reyes, Dana` = `Dana Reyes`: first and last word, middle names and initials aside) | 0.8, 0.9 when an address reads as that name |
//! | `handle-name` | a one-word name that is also the account's handle or the address's domain (`OpenVault (@OpenVault)`, `OpenVault <dm@openvault.example.org>`) | 0.6 |
//!
//! A one-word name alone (`Dana`, `Mike`) never joins anything: it is a first name as often as
//! not. A name counts for an identity when at least a quarter of the messages that name the
//! identity use it, so one mislabelled recipient in one message does not join two people.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::aliases::Aliases;
use super::names::{self, IdKind, NameKey};
use super::Observations;

/// Why two identities are one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    AliasesFile,
    GatewayAddress,
    X500Mailbox,
    SameName,
    HandleName,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::AliasesFile => "aliases-file",
            Rule::GatewayAddress => "gateway-address",
            Rule::X500Mailbox => "x500-mailbox",
            Rule::SameName => "same-name",
            Rule::HandleName => "handle-name",
        }
    }
}

/// One link between two identities that was applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub a: String,
    pub b: String,
    pub rule: Rule,
    pub confidence: f32,
    /// What was seen, in words (`both named "Dana Reyes"`).
    pub evidence: String,
}

/// An identity of a person: an address, a chat account, a DN, or a name seen without address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identity {
    pub id: String,
    pub kind: IdKind,
    /// Display names written with it, most used first.
    pub names: Vec<(String, u32)>,
    /// Messages that named it (every copy and part counted).
    pub seen: u32,
}

/// A person: identities that are one party, with the links that joined them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    /// The person's id: its most seen e-mail address, else its most seen account.
    pub id: String,
    /// The best display name (or the id when no name was ever seen).
    pub name: String,
    pub identities: Vec<Identity>,
    pub links: Vec<Link>,
}

/// A disjoint-set forest with union by size; each root keeps the `apart` constraint tags of its
/// set, so that a union joining two identities the aliases file keeps apart is refused.
struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
    tags: Vec<Vec<usize>>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
            size: vec![1; n],
            tags: vec![Vec::new(); n],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins the sets of `a` and `b`; false when they were one set already, or when both hold
    /// one side each of an `apart` constraint.
    fn union(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        // A tag is `2 * constraint + side`: the same constraint on the other side conflicts.
        let conflict = self.tags[ra]
            .iter()
            .any(|t| self.tags[rb].contains(&(t ^ 1)));
        if conflict {
            return false;
        }
        let (big, small) = if self.size[ra] >= self.size[rb] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small] = big;
        self.size[big] += self.size[small];
        let moved = std::mem::take(&mut self.tags[small]);
        self.tags[big].extend(moved);
        true
    }
}

/// An identity written with this many different full names or more is noisy: it links only
/// by a name its address shares a word with (see [`group`]).
const SHARED_NAMES: usize = 3;

/// A name of an identity that counts for linking (see the module comment), with its key.
fn significant_names(names: &BTreeMap<String, u32>) -> Vec<(NameKey, u32)> {
    let mut by_key: BTreeMap<String, (NameKey, u32)> = BTreeMap::new();
    for (raw, &n) in names {
        let Some(k) = names::name_key(raw) else {
            continue;
        };
        let e = by_key.entry(k.key.clone()).or_insert((k, 0));
        e.1 += n;
    }
    let total: u32 = by_key.values().map(|(_, n)| n).sum();
    by_key
        .into_values()
        .filter(|(_, n)| n * 4 >= total)
        .collect()
}

/// Groups the identities of `obs` into persons under `aliases`. Deterministic: persons come
/// out sorted by id, identities by how often they were seen.
pub fn group(obs: &Observations, aliases: &Aliases) -> Vec<Person> {
    // Every identity: observed ones, those the aliases file names, and gateway-wrapped ones.
    let mut ids: Vec<String> = obs.ids.keys().cloned().collect();
    let mut extra: Vec<String> = aliases.identities().map(str::to_owned).collect();
    extra.extend(obs.ids.keys().filter_map(|id| names::imcea_inner(id)));
    ids.extend(extra);
    ids.sort();
    ids.dedup();
    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();

    let mut links: Vec<Link> = Vec::new();
    for (line, members) in aliases.same.iter() {
        for w in members.windows(2) {
            links.push(Link {
                a: w[0].clone(),
                b: w[1].clone(),
                rule: Rule::AliasesFile,
                confidence: 1.0,
                evidence: format!("aliases file, line {line}"),
            });
        }
    }
    for id in obs.ids.keys() {
        if let Some(inner) = names::imcea_inner(id) {
            links.push(Link {
                a: id.clone(),
                b: inner.clone(),
                rule: Rule::GatewayAddress,
                confidence: 0.95,
                evidence: format!("gateway address wraps {inner}"),
            });
        }
    }
    // An Exchange DN whose mailbox name is the local part of an address of its organization:
    // `/o=enron/ou=na/cn=recipients/cn=sscott5` and `sscott5@enron.com`.
    let mut by_mailbox: HashMap<(&str, &str), Vec<&str>> = HashMap::new();
    for id in obs
        .ids
        .keys()
        .filter(|i| names::id_kind(i) == IdKind::Email)
    {
        if let (Some((local, _)), Some(label)) = (id.split_once('@'), names::domain_label(id)) {
            by_mailbox.entry((local, label)).or_default().push(id);
        }
    }
    for id in &ids {
        let Some((cn, org)) = names::x500_mailbox(id) else {
            continue;
        };
        for email in by_mailbox.get(&(cn, org)).into_iter().flatten() {
            links.push(Link {
                a: id.clone(),
                b: email.to_string(),
                rule: Rule::X500Mailbox,
                confidence: 0.85,
                evidence: format!("Exchange mailbox `{cn}` of organization `{org}`"),
            });
        }
    }
    // Identities by the full-name key and by the distinctive one-word name they go by.
    let mut by_name: BTreeMap<String, Vec<(&str, String, bool)>> = BTreeMap::new();
    let mut by_word: BTreeMap<String, Vec<(&str, String, &'static str)>> = BTreeMap::new();
    for (id, o) in &obs.ids {
        let local = names::local_part_key(id);
        let significant = significant_names(&o.names);
        // An address written with several full names (a shared mailbox, a placeholder like
        // `no.address@`, or one the export garbled, as Enron's `davis@enron.com` for Phil and
        // Dana Davis) would chain those people together: it links only by the name its
        // address reads as, if any.
        let full = |k: &NameKey| k.words >= 2;
        let shared = significant.iter().filter(|(k, _)| full(k)).count() > 1;
        let noisy = o
            .names
            .keys()
            .filter_map(|n| names::name_key(n))
            .filter(full)
            .map(|k| k.key)
            .collect::<HashSet<_>>()
            .len()
            >= SHARED_NAMES;
        let local_words: Vec<&str> = id
            .split('@')
            .next()
            .unwrap_or_default()
            .split(|c: char| !c.is_alphanumeric())
            .collect();
        for (k, _) in significant {
            if shared && local.as_deref() != Some(k.key.as_str()) {
                continue;
            }
            // Many names, one of them most used: the address must read as part of it
            // (`k..allen@` for Phillip K. Allen, not `no.address@` for Don Miller).
            if noisy && !k.key.split(' ').any(|w| local_words.contains(&w)) {
                continue;
            }
            if k.words >= 2 {
                let reads = local.as_deref() == Some(k.key.as_str());
                by_name
                    .entry(k.key.clone())
                    .or_default()
                    .push((id, k.display.clone(), reads));
            } else if k.handle.as_deref() == Some(k.key.as_str()) {
                by_word.entry(k.key.clone()).or_default().push((
                    id,
                    k.display.clone(),
                    "its handle",
                ));
            } else if names::domain_label(id) == Some(k.key.as_str()) {
                by_word.entry(k.key.clone()).or_default().push((
                    id,
                    k.display.clone(),
                    "its address's domain",
                ));
            }
        }
    }
    for group in by_name.values().filter(|g| g.len() > 1) {
        let (first, first_name, first_reads) = &group[0];
        for (id, name, reads) in &group[1..] {
            let evidence = if name == first_name {
                format!("both named \"{name}\"")
            } else {
                format!("named \"{first_name}\" and \"{name}\"")
            };
            links.push(Link {
                a: first.to_string(),
                b: id.to_string(),
                rule: Rule::SameName,
                confidence: if *reads || *first_reads { 0.9 } else { 0.8 },
                evidence,
            });
        }
    }
    for group in by_word.values().filter(|g| g.len() > 1) {
        let (first, first_name, why_first) = &group[0];
        for (id, name, why) in &group[1..] {
            links.push(Link {
                a: first.to_string(),
                b: id.to_string(),
                rule: Rule::HandleName,
                confidence: 0.6,
                evidence: format!(
                    "one-word names \"{first_name}\" ({why_first}) and \"{name}\" ({why})"
                ),
            });
        }
    }
    links.retain(|l| {
        l.rule == Rule::AliasesFile
            || !(aliases.alone.contains(&l.a) || aliases.alone.contains(&l.b))
    });
    links.sort_by(|x, y| {
        y.confidence
            .total_cmp(&x.confidence)
            .then_with(|| x.rule.cmp(&y.rule))
            .then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b)))
    });

    let mut uf = UnionFind::new(ids.len());
    for (c, (left, right)) in aliases.apart.iter().enumerate() {
        for (side, members) in [left, right].into_iter().enumerate() {
            for m in members {
                if let Some(&i) = index.get(m.as_str()) {
                    uf.tags[i].push(2 * c + side);
                }
            }
        }
    }
    let mut applied: Vec<Link> = Vec::new();
    for l in links {
        let (Some(&a), Some(&b)) = (index.get(l.a.as_str()), index.get(l.b.as_str())) else {
            continue;
        };
        if uf.union(a, b) {
            applied.push(l);
        }
    }

    let mut sets: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..ids.len() {
        let r = uf.find(i);
        sets.entry(r).or_default().push(i);
    }
    let mut link_of: HashMap<usize, Vec<Link>> = HashMap::new();
    for l in applied {
        let r = uf.find(index[l.a.as_str()]);
        link_of.entry(r).or_default().push(l);
    }
    let empty = BTreeMap::new();
    let mut persons: Vec<Person> = Vec::with_capacity(sets.len());
    for (root, members) in sets {
        let mut identities: Vec<Identity> = members
            .iter()
            .map(|&i| {
                let id = &ids[i];
                let o = obs.ids.get(id);
                let mut names: Vec<(String, u32)> = o
                    .map_or(&empty, |o| &o.names)
                    .iter()
                    .map(|(n, c)| (n.clone(), *c))
                    .collect();
                names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                Identity {
                    id: id.clone(),
                    kind: names::id_kind(id),
                    names,
                    seen: o.map_or(0, |o| o.seen),
                }
            })
            .collect();
        // Identities never seen (named only by the aliases file or wrapped in a gateway address
        // nobody wrote to directly) are not persons of their own.
        if identities.iter().all(|i| i.seen == 0) {
            continue;
        }
        identities.retain(|i| i.seen > 0);
        // E-mail addresses first (what readers recognize), then accounts, DNs, bare names.
        identities.sort_by(|a, b| {
            let rank = |i: &Identity| match i.kind {
                IdKind::Email => 0,
                IdKind::Chat => 1,
                IdKind::X500 => 2,
                IdKind::Name => 3,
            };
            rank(a)
                .cmp(&rank(b))
                .then_with(|| b.seen.cmp(&a.seen))
                .then_with(|| a.id.cmp(&b.id))
        });
        let id = identities[0].id.clone();
        let name = aliases
            .names
            .iter()
            .find(|(who, _)| identities.iter().any(|i| &i.id == who))
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| best_name(&identities).unwrap_or_else(|| id.clone()));
        let mut links = link_of.remove(&root).unwrap_or_default();
        links.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
        persons.push(Person {
            id,
            name,
            identities,
            links,
        });
    }
    persons.sort_by(|a, b| a.id.cmp(&b.id));
    persons
}

/// The name a person goes by most, full names (two words or more) before one-word names, in
/// `First Last` order.
fn best_name(identities: &[Identity]) -> Option<String> {
    let mut counts: HashMap<String, (u32, usize)> = HashMap::new();
    for i in identities {
        for (raw, n) in &i.names {
            if let Some(k) = names::name_key(raw) {
                let e = counts.entry(k.display).or_insert((0, k.words));
                e.0 += n;
            }
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| {
            (a.1 .1 >= 2, a.1 .0)
                .cmp(&(b.1 .1 >= 2, b.1 .0))
                .then_with(|| b.0.cmp(&a.0))
        })
        .map(|(n, _)| n)
}

/// The identities the aliases file pins, for tests and diagnostics: those it names that no
/// message ever did.
pub fn unseen_alias_identities<'a>(obs: &Observations, aliases: &'a Aliases) -> Vec<&'a str> {
    let seen: HashSet<&str> = obs.ids.keys().map(String::as_str).collect();
    let mut v: Vec<&str> = aliases.identities().filter(|i| !seen.contains(i)).collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::IdObs;

    fn obs(entries: &[(&str, &[(&str, u32)])]) -> Observations {
        let mut o = Observations::default();
        for (id, names) in entries {
            let e = o.ids.entry(id.to_string()).or_insert_with(IdObs::default);
            for (n, c) in *names {
                e.names.insert(n.to_string(), *c);
                e.seen += c;
            }
            e.seen = e.seen.max(1);
        }
        o
    }

    fn person_of<'a>(p: &'a [Person], id: &str) -> &'a Person {
        p.iter()
            .find(|p| p.identities.iter().any(|i| i.id == id))
            .unwrap_or_else(|| panic!("no person has {id}"))
    }

    #[test]
    fn last_first_names_join_and_first_names_do_not() {
        let o = obs(&[
            ("phillip.allen@enron.com", &[("Phillip K Allen", 10)]),
            ("pallen@enron.com", &[("Allen, Phillip K.", 3)]),
            ("phillip.love@enron.com", &[("Love, Phillip", 4)]),
            ("phillip@home.example", &[("Phillip", 2)]),
        ]);
        let p = group(&o, &Aliases::default());
        let allen = person_of(&p, "phillip.allen@enron.com");
        assert_eq!(allen.identities.len(), 2, "{allen:?}");
        assert_eq!(allen.links[0].rule, Rule::SameName);
        assert_eq!(allen.links[0].confidence, 0.9);
        assert_eq!(allen.name, "Phillip K Allen");
        assert_eq!(person_of(&p, "phillip.love@enron.com").identities.len(), 1);
        assert_eq!(person_of(&p, "phillip@home.example").identities.len(), 1);
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn a_rare_mislabel_does_not_join() {
        let o = obs(&[
            ("a@x.org", &[("Ann Lee", 9), ("Bob Ray", 1)]),
            ("b@x.org", &[("Bob Ray", 5)]),
        ]);
        let p = group(&o, &Aliases::default());
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn a_shared_address_does_not_chain_people() {
        let o = obs(&[
            ("davis@enron.com", &[("Davis, Phil", 3), ("Dana Davis", 3)]),
            ("phil.davis@enron.com", &[("Phil Davis", 5)]),
            (
                "dana.davis@enron.com",
                &[("Davis, Dana", 5), ("Davis, Mark Dana", 4)],
            ),
            (
                "no.address@enron.com",
                &[("Miller, Don", 5), ("Ann Lee", 1), ("Bo Ray", 1)],
            ),
            ("don.miller@enron.com", &[("Don Miller", 5)]),
            (
                "k..allen@enron.com",
                &[
                    ("Allen, Phillip K.", 9),
                    ("Allen, Diana", 1),
                    ("Lee, Ann", 1),
                ],
            ),
            ("phillip.allen@enron.com", &[("Phillip K Allen", 5)]),
        ]);
        let p = group(&o, &Aliases::default());
        assert_eq!(p.len(), 6, "{p:#?}");
        assert_eq!(person_of(&p, "k..allen@enron.com").identities.len(), 2);
    }

    #[test]
    fn one_word_names_join_only_through_handle_or_domain() {
        let o = obs(&[
            ("dm@openvault.example.org", &[("OpenVault", 7)]),
            ("twitter:800000002", &[("OpenVault (@OpenVault)", 10)]),
            ("dana@x.org", &[("Dana", 3)]),
            ("slack:u01dana", &[("Dana", 3)]),
        ]);
        let p = group(&o, &Aliases::default());
        let ov = person_of(&p, "twitter:800000002");
        assert_eq!(ov.identities.len(), 2);
        assert_eq!(ov.links[0].rule, Rule::HandleName);
        assert_eq!(ov.id, "dm@openvault.example.org");
        assert_eq!(person_of(&p, "dana@x.org").identities.len(), 1);
    }

    #[test]
    fn aliases_merge_split_and_name() {
        let o = obs(&[
            ("a@x.org", &[("Ann Lee", 2)]),
            ("b@y.org", &[("Ann Lee", 2)]),
            ("c@z.org", &[("C", 1)]),
            ("twitter:1", &[]),
        ]);
        let aliases = Aliases::parse(
            "# test\nsame c@z.org twitter:1\napart a@x.org | b@y.org\nname twitter:1 Cee Dee\n",
        )
        .unwrap();
        let p = group(&o, &aliases);
        assert_eq!(person_of(&p, "a@x.org").identities.len(), 1);
        let c = person_of(&p, "twitter:1");
        assert_eq!(c.identities.len(), 2);
        assert_eq!(c.name, "Cee Dee");
        assert_eq!(c.links[0].rule, Rule::AliasesFile);
        let alone = Aliases::parse("alone b@y.org\n").unwrap();
        assert_eq!(group(&o, &alone).len(), 4);
        assert_eq!(group(&o, &Aliases::default()).len(), 3);
    }

    #[test]
    fn exchange_dns_join_the_mailbox_of_their_organization() {
        let o = obs(&[
            ("/o=enron/ou=na/cn=recipients/cn=sscott5", &[]),
            ("/o=enron/ou=na/cn=recipients/cn=jcasas@enron.com", &[]),
            ("sscott5@enron.com", &[]),
            ("jcasas@enron.com", &[]),
            ("sscott5@other.example", &[]),
            (
                "/o=enron/ou=na/cn=recipients/cn=notesaddr/cn=41bc9f29@enron.com",
                &[],
            ),
        ]);
        let p = group(&o, &Aliases::default());
        assert_eq!(person_of(&p, "sscott5@enron.com").identities.len(), 2);
        assert_eq!(
            person_of(&p, "jcasas@enron.com").links[0].rule,
            Rule::X500Mailbox
        );
        assert_eq!(person_of(&p, "sscott5@other.example").identities.len(), 1);
        assert_eq!(p.len(), 4);
    }

    #[test]
    fn gateway_addresses_join_what_they_wrap() {
        let o = obs(&[
            ("jhale@mail.mdanderson.org", &[]),
            (
                "imceanotes-jhale+40mail+2emdanderson+2eorg+40enron@enron.com",
                &[],
            ),
        ]);
        let p = group(&o, &Aliases::default());
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].links[0].rule, Rule::GatewayAddress);
    }
}
