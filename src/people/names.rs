//! Reading identities and display names: what kind of id an address is (e-mail, chat account,
//! Exchange/X.500 DN, Lotus Notes gateway address), and the comparable key of a display name,
//! with `Last, First` turned around and initials, titles, handles and quotes left out.
//!
//! These are pure functions over strings: grouping ([`super::group`]) decides what the keys
//! are evidence of.

/// What an identity string is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdKind {
    /// An e-mail address (`dana.reyes@reyes2016.example.com`).
    Email,
    /// A chat account (`twitter:700000001`, `slack:u01dana`, `whatsapp:brad.pham`).
    Chat,
    /// An Exchange/X.500 distinguished name (`/o=enron/ou=na/cn=recipients/cn=dreyes`).
    X500,
    /// A display name seen without any address (`name:dana reyes`).
    Name,
}

/// The kind of a normalized (lower-cased) identity.
pub fn id_kind(id: &str) -> IdKind {
    if id.starts_with("name:") {
        IdKind::Name
    } else if is_x500(id) {
        IdKind::X500
    } else if id.contains('@') {
        IdKind::Email
    } else if id.contains(':') {
        IdKind::Chat
    } else {
        IdKind::Email
    }
}

/// Whether `id` reads as an X.500 DN (`/o=…/cn=…`), with or without an `ex:` prefix.
pub fn is_x500(id: &str) -> bool {
    let s = id.strip_prefix("ex:").unwrap_or(id);
    s.starts_with("/o=") && s.contains("/cn=")
}

/// The last `cn=` of an X.500 DN (`dreyes` of `/o=enron/ou=na/cn=recipients/cn=dreyes`).
pub fn x500_cn(id: &str) -> Option<&str> {
    id.rsplit("/cn=").next().filter(|_| is_x500(id))
}

/// The mailbox name and organization of an Exchange DN (`sscott5`, `enron` of
/// `/o=enron/ou=na/cn=recipients/cn=sscott5`, also with an `@enron.com` the export appended);
/// none for Notes gateway entries (`cn=notesaddr/cn=…`) and names too short to mean anything.
pub fn x500_mailbox(id: &str) -> Option<(&str, &str)> {
    if !is_x500(id) {
        return None;
    }
    let s = id.strip_prefix("ex:").unwrap_or(id);
    let org = s.strip_prefix("/o=")?.split('/').next()?;
    if s.contains("/cn=notesaddr") {
        return None;
    }
    let cn = x500_cn(s)?;
    let cn = cn.split('@').next()?.trim_matches(['\'', '"']);
    (cn.len() >= 3
        && cn
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '_' || c == '-'))
    .then_some((cn, org))
}

/// The address a Lotus Notes or Exchange gateway wrapped in an `IMCEANOTES-`/`IMCEAEX-` local
/// part, decoded (`+40` is `@`, `+2E` is `.`, `_` is `/`): `imceanotes-jhale+40mail+2emdanderson
/// +2eorg+40enron@enron.com` → `jhale@mail.mdanderson.org`; an `IMCEAEX-` DN comes back as the
/// DN. The trailing Notes domain (`@enron`) is dropped. None when `address` is no such thing.
pub fn imcea_inner(address: &str) -> Option<String> {
    let lower = address.to_ascii_lowercase();
    let (prefix, rest) = ["imceanotes-", "imceaex-"]
        .iter()
        .find_map(|p| lower.strip_prefix(p).map(|r| (*p, r)))?;
    let local = rest.rsplit_once('@').map_or(rest, |(l, _)| l);
    let mut out = Vec::with_capacity(local.len());
    let b = local.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'+' {
            if let Some(v) = local
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'_' && prefix == "imceaex-" {
            b'/'
        } else {
            b[i]
        });
        i += 1;
    }
    let mut inner = String::from_utf8_lossy(&out).trim().to_lowercase();
    // `"Holly Korman" <holly@layfam.com>@ENRON`: the address inside the angle brackets.
    if let (Some(a), Some(z)) = (inner.find('<'), inner.rfind('>')) {
        if a < z {
            inner = inner[a + 1..z].to_owned();
        }
    }
    // Notes appends its own domain: `jhale@mail.mdanderson.org@enron`.
    if inner.matches('@').count() > 1 {
        if let Some((a, _)) = inner.rsplit_once('@') {
            inner = a.to_owned();
        }
    }
    let inner = inner.trim_matches(['"', '\'', ' ']).to_owned();
    let ok = if prefix == "imceaex-" {
        is_x500(&inner)
    } else {
        // A Notes name (`Enron Announcements/Corp/Enron@ENRON`) has no internet domain.
        inner.rsplit_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !local.contains(' ') && domain.contains('.')
        })
    };
    ok.then_some(inner)
}

/// The comparable form of a display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    /// `first last` (middle names and initials dropped) for two words or more; the one word
    /// otherwise.
    pub key: String,
    /// How many words the name has, initials and titles left out.
    pub words: usize,
    /// A chat handle written with the name (`Dana Reyes (@DanaReyes)` → `danareyes`).
    pub handle: Option<String>,
    /// The name as a reader expects it: `Last, First` turned around, handle left out.
    pub display: String,
}

const TITLES: [&str; 8] = ["mr", "mrs", "ms", "dr", "prof", "jr", "sr", "iii"];

/// Reads a display name; None when nothing name-like is left (an address given as a name,
/// punctuation, initials only).
pub fn name_key(raw: &str) -> Option<NameKey> {
    let mut s = raw
        .replace('\\', "")
        .trim()
        .trim_matches(['"', '\''])
        .trim()
        .to_owned();
    // A handle in parentheses or after the name: `OpenVault (@OpenVault)`.
    let mut handle = None;
    if let (Some(a), Some(z)) = (s.find('('), s.rfind(')')) {
        if a < z {
            let inside = s[a + 1..z].trim();
            if let Some(h) = inside.strip_prefix('@') {
                handle = Some(h.to_lowercase());
            }
            s = format!("{}{}", &s[..a], &s[z + 1..]);
        }
    }
    // Enron writes Notes names with a trailing `@ENRON`.
    if let Some(stripped) = s.trim().strip_suffix("@ENRON") {
        s = stripped.to_owned();
    }
    let s = s.trim().trim_matches(['"', '\'']).trim();
    if s.is_empty() || s.contains('@') || s.starts_with('/') || s.starts_with('<') {
        return None;
    }
    // `Last, First Middle` → `First Middle Last`; more commas are a list or a title, kept.
    let display = match s.split_once(',') {
        Some((last, first))
            if !first.contains(',') && !last.trim().is_empty() && !first.trim().is_empty() =>
        {
            let first = first.trim();
            let last = last.trim();
            if TITLES.contains(&first.trim_end_matches('.').to_lowercase().as_str()) {
                s.to_owned()
            } else {
                format!("{first} {last}")
            }
        }
        _ => s.to_owned(),
    };
    let words: Vec<String> = display
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| w.chars().count() > 1 && !TITLES.contains(&w.as_str()))
        .collect();
    let key = match words.as_slice() {
        [] => return None,
        [one] => one.clone(),
        [first, .., last] => format!("{first} {last}"),
    };
    Some(NameKey {
        key,
        words: words.len(),
        handle,
        display,
    })
}

/// The name-like words of an address's local part (`dana.reyes` → `dana reyes`), when it has
/// two or more; chat ids and single tokens give none.
pub fn local_part_key(address: &str) -> Option<String> {
    let (local, _) = address.split_once('@')?;
    let words: Vec<&str> = local
        .split(['.', '_', '-'])
        .filter(|w| w.len() > 1 && w.chars().all(char::is_alphabetic))
        .collect();
    match words.as_slice() {
        [first, .., last] => Some(format!("{first} {last}")),
        _ => None,
    }
}

/// The label of an address's domain that names its owner: `openvault` of
/// `dm@openvault.example.org`. Generic hosting labels (`mail`, `www`) are skipped.
pub fn domain_label(address: &str) -> Option<&str> {
    let (_, domain) = address.rsplit_once('@')?;
    domain
        .split('.')
        .find(|l| !matches!(*l, "mail" | "www" | "smtp" | "mx" | "email" | "lists"))
        .filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_first_and_first_last_share_a_key() {
        let a = name_key("Allen, Phillip K.").unwrap();
        let b = name_key("Phillip K Allen").unwrap();
        assert_eq!(a.key, "phillip allen");
        assert_eq!(a.key, b.key);
        assert_eq!(a.display, "Phillip K. Allen");
        assert_eq!(name_key("\"Reyes, Dana\"").unwrap().key, "dana reyes");
        assert_eq!(name_key("Black, Tamara Jae").unwrap().key, "tamara black");
    }

    #[test]
    fn handles_titles_and_non_names() {
        let k = name_key("OpenVault (@OpenVault)").unwrap();
        assert_eq!((k.key.as_str(), k.words), ("openvault", 1));
        assert_eq!(k.handle.as_deref(), Some("openvault"));
        assert_eq!(name_key("Dana").unwrap().words, 1);
        assert_eq!(name_key("Dr. Dana Reyes").unwrap().key, "dana reyes");
        let e = name_key("Kenneth L. Lay \\(E-mail\\)").unwrap();
        assert_eq!(
            (e.key.as_str(), e.display.as_str()),
            ("kenneth lay", "Kenneth L. Lay")
        );
        assert!(name_key("eSource@ENRON").is_some());
        assert!(name_key("foo@bar.com").is_none());
        assert!(name_key("  \"\" ").is_none());
        assert!(name_key("J. K.").is_none());
        assert_eq!(
            name_key("Enron Change Management Announcement@ENRON")
                .unwrap()
                .key,
            "enron announcement"
        );
    }

    #[test]
    fn identity_kinds() {
        assert_eq!(id_kind("twitter:700000001"), IdKind::Chat);
        assert_eq!(id_kind("a@b.org"), IdKind::Email);
        assert_eq!(
            id_kind("/o=enron/ou=na/cn=recipients/cn=dreyes"),
            IdKind::X500
        );
        assert_eq!(
            x500_cn("/o=enron/ou=na/cn=recipients/cn=dreyes"),
            Some("dreyes")
        );
        assert_eq!(id_kind("name:dana reyes"), IdKind::Name);
    }

    #[test]
    fn imcea_addresses_decode() {
        assert_eq!(
            imcea_inner("IMCEANOTES-jhale+40mail+2Emdanderson+2Eorg+40ENRON@ENRON.com").as_deref(),
            Some("jhale@mail.mdanderson.org")
        );
        assert_eq!(
            imcea_inner(
                "IMCEANOTES-+22Holly+20Korman+22+20+3Cholly+40layfam+2Ecom+3E+40ENRON@ENRON.com"
            )
            .as_deref(),
            Some("holly@layfam.com")
        );
        assert_eq!(
            imcea_inner("IMCEAEX-_O=ENRON_OU=NA_CN=RECIPIENTS_CN=DREYES@ENRON.com").as_deref(),
            Some("/o=enron/ou=na/cn=recipients/cn=dreyes")
        );
        assert_eq!(imcea_inner("dana.reyes@x.org"), None);
        assert_eq!(
            imcea_inner("IMCEANOTES-Enron+20Announcements_Corp_Enron+40ENRON@ENRON.com"),
            None
        );
        assert_eq!(imcea_inner("imceanotes-+4@x"), None);
    }

    #[test]
    fn local_parts_and_domains() {
        assert_eq!(
            local_part_key("dana.reyes@reyes2016.example.com").as_deref(),
            Some("dana reyes")
        );
        assert_eq!(local_part_key("dm@openvault.example.org"), None);
        assert_eq!(domain_label("dm@openvault.example.org"), Some("openvault"));
        assert_eq!(domain_label("x@mail.enron.com"), Some("enron"));
    }
}
