//! Person grouping (`people`): an aliases file and mailboxes of arbitrary text. The input is
//! split at the first `\0`: before it, the aliases file (`same`, `apart`, `alone`, `name`
//! lines); after it, one mailbox a line as `NAME\tADDRESS`. Names go through `name_key` and
//! the identity functions (X.500 DNs, IMCEA gateway addresses, local parts, domains), then
//! everything is grouped: conflicting `same`/`apart` lines, shared addresses and odd names must
//! group without a panic, and every observed identity must belong to exactly one person.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trawl::doc::Mailbox;
use trawl::people::aliases::Aliases;
use trawl::people::{group, names, Observations};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (aliases, mailboxes) = text.split_once('\0').unwrap_or(("", &text));
    let aliases = Aliases::parse(aliases).unwrap_or_default();
    let mut obs = Observations::default();
    for line in mailboxes.lines().take(2000) {
        let (name, address) = line.split_once('\t').unwrap_or((line, ""));
        let _ = names::name_key(name);
        let _ = names::id_kind(address);
        let _ = names::x500_mailbox(address);
        let _ = names::imcea_inner(address);
        let _ = names::local_part_key(address);
        let _ = names::domain_label(address);
        obs.add(&Mailbox::new(
            address,
            |a| a.trim().to_lowercase(),
            (!name.is_empty()).then(|| name.to_owned()),
        ));
    }
    let persons = group::group(&obs, &aliases);
    for id in obs.ids.keys() {
        let holders = persons
            .iter()
            .filter(|p| p.identities.iter().any(|i| &i.id == id))
            .count();
        assert_eq!(holders, 1, "{id} is in {holders} persons");
    }
});
