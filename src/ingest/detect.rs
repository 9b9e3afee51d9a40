//! The content tests the format registry ([`super::format`]) sniffs mail and binary with,
//! on bytes, not names: Enron's messages have no extension, mbox files are called anything,
//! and a `.eml` may be a JPEG.

/// How much of the file the sniffing looks at.
pub const SNIFF_LEN: usize = 8192;

/// NUL bytes, or many control characters, mean binary. High bytes alone do not: they are
/// Latin-1 or UTF-8 text in old mail.
pub fn looks_binary(head: &[u8]) -> bool {
    if head.contains(&0) {
        return true;
    }
    // Every file's head passes through here. The tests are `&`, not `&&`, and the count of
    // each run of 255 bytes is kept in a `u8`: so the compiler compares a vector of bytes per
    // step. Counted straight into a `usize`, the loop stayed one byte at a time.
    let control: usize = head
        .chunks(255)
        .map(|run| {
            let n = run.iter().fold(0u8, |n, &b| {
                n + u8::from(
                    (b < 0x20)
                        & (b != b'\n')
                        & (b != b'\r')
                        & (b != b'\t')
                        & (b != 0x0c)
                        & (b != 0x1b),
                )
            });
            usize::from(n)
        })
        .sum();
    control * 10 > head.len()
}

/// The file opens with a header block: header lines (`Name: value`, or folded continuations) up
/// to a blank line or the end of the sniffed data, with at least two headers, one of them a field
/// every message generator writes.
///
/// Works on bytes and stops as soon as the answer is known (two headers, one of them known):
/// every file of a dump passes through here, and a header block runs to dozens of lines.
pub fn looks_like_message(head: &[u8]) -> bool {
    // Blank lines before the headers occur in exported mail; they do not end a header block.
    let start = head
        .iter()
        .position(|&b| b != b'\n' && b != b'\r')
        .unwrap_or(head.len());
    let mut headers = 0;
    let mut known = false;
    for (i, line) in head[start..].split(|&b| b == b'\n').enumerate() {
        // A blank line ends the header block (whitespace as `str::trim` sees it).
        if String::from_utf8_lossy(line).trim().is_empty() {
            break;
        }
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            if i == 0 {
                return false;
            }
            continue;
        }
        let name = line
            .iter()
            .position(|&b| b == b':')
            .map(|colon| &line[..colon])
            .filter(|n| is_field_name(n));
        let Some(name) = name else {
            // Headers that run straight into the body with no blank line (seen in the Enron
            // release), or a block cut off mid-line: still a message once real headers were seen.
            break;
        };
        headers += 1;
        known |= KNOWN_FIELDS.iter().any(|k| name.eq_ignore_ascii_case(k));
        if headers >= 2 && known {
            // Nothing further down can change the answer.
            return true;
        }
    }
    headers >= 2 && known
}

/// Fields every message generator writes; one of them must be among a message's headers.
const KNOWN_FIELDS: [&[u8]; 13] = [
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"received",
    b"return-path",
    b"mime-version",
    b"delivered-to",
    b"sender",
    b"reply-to",
    b"cc",
    b"x-from",
];

/// RFC 5322 field names: printable ASCII except the colon, no spaces.
pub fn is_field_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| b.is_ascii_graphic() && b != b':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;

    /// What the mail sniffs make of a head: mbox, message, binary or neither.
    fn classify(data: &[u8]) -> &'static str {
        if data.iter().all(u8::is_ascii_whitespace) {
            "empty"
        } else if crate::ingest::mbox::looks_like_mbox(data) {
            "mbox"
        } else if looks_like_message(data) {
            "eml"
        } else if looks_binary(data) {
            "binary"
        } else {
            "not-mail"
        }
    }

    #[test]
    fn classifies_by_content() {
        assert_eq!(classify(b""), "empty");
        assert_eq!(classify(b" \n\r\n"), "empty");
        assert_eq!(classify(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "binary");
        assert_eq!(classify(b"From: a@b.example\nSubject: x\n\nbody"), "eml");
        assert_eq!(
            classify(b"Message-ID: <1@x>\r\nDate: Mon, 1 Jan 2001 00:00:00 +0000\r\n\r\n"),
            "eml"
        );
        assert_eq!(
            classify(b"From a@b.example Mon Jan  1 00:00:00 2001\nFrom: a@b\n\nx"),
            "mbox"
        );
        assert_eq!(
            classify(b"Meeting notes\nWe agreed: nothing.\n"),
            "not-mail"
        );
        assert_eq!(
            classify(b"Note: one header-like line\n\nthen prose"),
            "not-mail"
        );
    }

    /// The string-based check this module used before it worked on bytes and stopped early,
    /// kept as the reference the fast one must agree with.
    fn looks_like_message_reference(head: &[u8]) -> bool {
        let start = head
            .iter()
            .position(|&b| b != b'\n' && b != b'\r')
            .unwrap_or(head.len());
        let end = head[start..]
            .windows(2)
            .position(|w| w == b"\n\n" || w == b"\n\r")
            .map_or(head.len(), |i| start + i + 1);
        let text = String::from_utf8_lossy(&head[..end]);
        let (mut headers, mut known) = (0, false);
        for (i, line) in text.trim_start_matches(['\r', '\n']).lines().enumerate() {
            if line.trim().is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                if i == 0 {
                    return false;
                }
                continue;
            }
            let Some((name, _)) = line
                .split_once(':')
                .filter(|(n, _)| is_field_name(n.as_bytes()))
            else {
                if headers >= 2 && known {
                    break;
                }
                return false;
            };
            headers += 1;
            known |= KNOWN_FIELDS
                .iter()
                .any(|k| name.as_bytes().eq_ignore_ascii_case(k));
        }
        headers >= 2 && known
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(3000))]

        /// Header-shaped input (fields, continuations, blank and whitespace lines, CR, stray
        /// bytes, cut lines): the byte-level check answers as the string-based one did.
        #[test]
        fn byte_check_agrees_with_the_string_check(
            lines in proptest::collection::vec(
                proptest::sample::select(vec![
                    "From: a@b.example", "to: c@d", "Subject: x", "X-Mailer: y", "X-Folder: z",
                    "  folded", "\tfolded", "", " ", "\r", "\x0b", "\u{a0}", " \u{a0}", "\t\x0b", "prose line",
                    "Date", "Bad Name: v", ":", "From a@b Mon Jan  1 00:00:00 2001", "é: invalid once mapped",
                    "Message-ID: <1@x>\r", "\rReceived: by x", "Cc:",
                ]),
                0..10,
            ),
            cut in 0usize..200,
        ) {
            let joined = lines.join("\n");
            let bytes: Vec<u8> = joined
                .as_bytes()
                .iter()
                .map(|&b| if b == 0xc3 { 0xff } else { b })
                .collect();
            let head = &bytes[..cut.min(bytes.len())];
            proptest::prop_assert_eq!(looks_like_message(head), looks_like_message_reference(head));
        }

        /// Heads of every length up to past SNIFF_LEN, mostly text with control bytes mixed in
        /// at any rate: the counting in runs of 255 answers as a plain count does.
        #[test]
        fn binary_test_agrees_with_a_plain_count(
            head in proptest::collection::vec(
                proptest::prop_oneof![
                    8 => proptest::num::u8::ANY.prop_map(|b| b | 0x20),
                    2 => 1u8..0x20,
                ],
                0..SNIFF_LEN + 600,
            ),
        ) {
            let control = head
                .iter()
                .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
                .count();
            proptest::prop_assert_eq!(looks_binary(&head), control * 10 > head.len());
        }
    }

    #[test]
    fn truncated_header_block_is_still_a_message() {
        assert_eq!(
            classify(b"From: a@b.example\nTo: c@d.example\nContent-Type: multipart/mixed; bound"),
            "eml"
        );
        assert_eq!(
            classify(b"From: a@b.example\nSubject: Budget\nContent-Ty"),
            "eml"
        );
    }
}
