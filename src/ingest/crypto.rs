//! Encrypted and signed mail, recognised (never decrypted or checked): a message is flagged
//! `encrypted` when it carries PGP/MIME (`multipart/encrypted`, `application/pgp-encrypted`),
//! S/MIME enveloped data (`application/pkcs7-mime` with `smime-type=enveloped-data`, or an
//! `smime.p7m` without a type) or an inline `-----BEGIN PGP MESSAGE-----` block, and `signed`
//! when it carries `multipart/signed`, a detached signature (`application/pgp-signature`,
//! `application/pkcs7-signature`), S/MIME signed data (`smime-type=signed-data`) or an inline
//! `-----BEGIN PGP SIGNED MESSAGE-----`. The readable parts (the signed text, the PGP/MIME
//! version part) are indexed as any other; the flags make such mail findable
//! (`has:encryption`, `has:signature`).

use mail_parser::{Message, MimeHeaders, PartType};

/// Flag of a message that carries encrypted content.
pub const ENCRYPTED: &str = "encrypted";
/// Flag of a message that carries a signature.
pub const SIGNED: &str = "signed";

/// Inline PGP armour is looked for in this much of each text part: it opens a message, or
/// follows a short note, and never needs a scan of a long body.
const INLINE_SCAN_BYTES: usize = 64 << 10;

/// The flags `msg` earns by its parts.
pub fn flags(msg: &Message<'_>) -> Vec<&'static str> {
    let (mut encrypted, mut signed) = (false, false);
    for part in &msg.parts {
        if let Some(ct) = part.content_type() {
            let ctype = ct.ctype().to_ascii_lowercase();
            let sub = ct.subtype().unwrap_or_default().to_ascii_lowercase();
            let smime_type = ct.attribute("smime-type").map(str::to_ascii_lowercase);
            match (ctype.as_str(), sub.as_str()) {
                ("multipart", "encrypted") => encrypted = true,
                ("multipart", "signed") => signed = true,
                ("application", "pgp-encrypted") => encrypted = true,
                ("application", "pgp-signature")
                | ("application", "pkcs7-signature")
                | ("application", "x-pkcs7-signature") => signed = true,
                ("application", "pkcs7-mime") | ("application", "x-pkcs7-mime") => {
                    match smime_type.as_deref() {
                        Some("signed-data") => signed = true,
                        Some("certs-only") => {}
                        // enveloped-data, authEnveloped-data, or no type on an smime.p7m.
                        _ => encrypted = true,
                    }
                }
                _ => {}
            }
        }
        let text = match &part.body {
            PartType::Text(t) | PartType::Html(t) => t.as_ref(),
            _ => continue,
        };
        let (e, s) = inline(text);
        encrypted |= e;
        signed |= s;
    }
    let mut out = Vec::new();
    if encrypted {
        out.push(ENCRYPTED);
    }
    if signed {
        out.push(SIGNED);
    }
    out
}

/// Whether `text` holds an inline PGP message (encrypted) or a clear-signed one (signed),
/// by armour lines at the start of a line.
pub fn inline(text: &str) -> (bool, bool) {
    let mut cut = text.len().min(INLINE_SCAN_BYTES);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &text.as_bytes()[..cut];
    // One pass for the prefix both armour lines share, then what follows it.
    let (mut encrypted, mut signed) = (false, false);
    // Built once: a searcher built per message showed in profiles of mail indexing.
    static ARMOUR: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"-----BEGIN PGP "));
    for i in ARMOUR.find_iter(head) {
        if i > 0 && head[i - 1] != b'\n' {
            continue;
        }
        let rest = &head[i + 15..];
        encrypted |= rest.starts_with(b"MESSAGE-----");
        signed |= rest.starts_with(b"SIGNED MESSAGE-----");
        if encrypted && signed {
            break;
        }
    }
    (encrypted, signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags_of(raw: &str) -> Vec<&'static str> {
        let msg = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .unwrap();
        flags(&msg)
    }

    #[test]
    fn mime_structures() {
        let pgp = "From: a@x\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=B\n\n--B\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--B\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\nx\n-----END PGP MESSAGE-----\n--B--\n";
        assert_eq!(flags_of(pgp), [ENCRYPTED]);
        let signed = "From: a@x\nContent-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=B\n\n--B\nContent-Type: text/plain\n\nhello\n--B\nContent-Type: application/pgp-signature\n\nsig\n--B--\n";
        assert_eq!(flags_of(signed), [SIGNED]);
        let smime = "From: a@x\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\n";
        assert_eq!(flags_of(smime), [ENCRYPTED]);
        let opaque = "From: a@x\nContent-Type: application/x-pkcs7-mime; smime-type=signed-data; name=smime.p7m\n\nMIAG\n";
        assert_eq!(flags_of(opaque), [SIGNED]);
        assert!(flags_of("From: a@x\nSubject: s\n\nplain text\n").is_empty());
    }

    #[test]
    fn inline_armour_counts_at_a_line_start_only() {
        assert_eq!(
            inline("note\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n"),
            (false, true)
        );
        assert_eq!(
            inline("-----BEGIN PGP MESSAGE-----\n\nhQEM\n"),
            (true, false)
        );
        assert_eq!(
            inline("quoting \"-----BEGIN PGP MESSAGE-----\" in a sentence"),
            (false, false)
        );
    }
}
