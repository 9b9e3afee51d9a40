//! Text, CSV and HTML in charsets they do not declare (issue #14, point 8): decoded, searchable
//! in their own script, and the charset recorded. Generated files cover each charset in CI; the
//! real files of `../shared/corpora/formats/charsets/` are checked when present.

use std::path::Path;

use crate::util::{shared_corpora, Hit, TestIndex};

const RUSSIAN: &str = "Секретный отчёт о переводе денег. В гимназии он не был в числе первых \
    учеников, но всё же окончил курс. Надежды на разрешение спора в пятницу нет.\n";
const JAPANESE: &str = "送金の記録は社内の担当者にだけ送られた。ある日の暮方の事である。\
    一人の下人が、羅生門の下で雨やみを待っていた。\n";
const CHINESE: &str = "这份文件记录了转账的细节，只发给了公司内部的负责人。会议将在星期五举行。\n";

fn write(dir: &Path, name: &str, text: &str, encoding: &'static encoding_rs::Encoding) {
    let (bytes, _, unmappable) = encoding.encode(text);
    assert!(!unmappable);
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn one(ix: &TestIndex, query: &str) -> Hit {
    let (hits, _, code) = ix.search(query, &[]);
    assert_eq!((code, hits.len()), (0, 1), "{query}: {hits:?}");
    hits.into_iter().next().unwrap()
}

#[test]
fn undeclared_charsets_are_decoded_searchable_and_recorded() {
    let dump = tempfile::tempdir().unwrap();
    let d = dump.path();
    write(d, "report-koi8.txt", RUSSIAN, encoding_rs::KOI8_R);
    write(d, "transfers-sjis.txt", JAPANESE, encoding_rs::SHIFT_JIS);
    write(
        d,
        "ledger-gbk.csv",
        &format!("日期,备注\n2016-10-03,{CHINESE}"),
        encoding_rs::GBK,
    );
    let page =
        format!("<html><head><title>Отчёт</title></head><body><p>{RUSSIAN}</p></body></html>\n");
    write(d, "page-1251.html", &page, encoding_rs::WINDOWS_1251);
    let notes = "Meeting notes: the transfer to account 4471 was approved on Friday.\r\n".repeat(4);
    let le: Vec<u8> = notes.encode_utf16().flat_map(u16::to_le_bytes).collect();
    std::fs::write(d.join("notes-utf16.txt"), &le).unwrap();
    let ix = TestIndex::of(d);

    let koi8 = one(&ix, "Секретный path:report-koi8.txt");
    assert_eq!(koi8.charset.as_deref(), Some("koi8-u"));
    assert_eq!(one(&ix, "charset:koi8-r").id, koi8.id);
    let sjis = one(&ix, "送金");
    assert!(sjis.path.ends_with("transfers-sjis.txt"), "{sjis:?}");
    assert_eq!(sjis.charset.as_deref(), Some("shift_jis"));
    assert_eq!(one(&ix, "charset:sjis").id, sjis.id);
    // A word of several CJK characters is a phrase of them: 羅生門 in order, not each apart.
    assert_eq!(one(&ix, "羅生門").id, sjis.id);
    assert!(ix.search("門生羅", &[]).0.is_empty());
    let gbk = one(&ix, "转账");
    assert_eq!(
        (gbk.format.as_str(), gbk.charset.as_deref()),
        ("csv", Some("gbk"))
    );
    let html = one(&ix, "path:page-1251.html");
    assert_eq!(
        (html.subject.as_str(), html.charset.as_deref()),
        ("Отчёт", Some("windows-1251"))
    );
    let utf16 = one(&ix, "account 4471");
    assert!(utf16.path.ends_with("notes-utf16.txt"), "{utf16:?}");
    assert_eq!(utf16.charset.as_deref(), Some("utf-16le"));

    // The record is of what was read; the bytes stay as they were.
    let raw = ix.run(&["show", "--raw", &koi8.id]);
    assert!(raw.status.success());
    assert_eq!(
        raw.stdout,
        std::fs::read(d.join("report-koi8.txt")).unwrap()
    );
}

/// The real files of the corpus: the first non-ASCII line of each (its README's fact) is found
/// by a word of it, and the charset recorded is the one the corpus names.
#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn real_undeclared_charsets() {
    let dump = shared_corpora()
        .expect("../shared/corpora")
        .join("formats/charsets");
    let ix = TestIndex::of(&dump);
    for (file, word, charsets) in [
        ("SHIFT_JIS/_ude_1.txt", "羅生門", &["shift_jis"][..]),
        ("SHIFT_JIS/_ude_4.txt", "マルチン", &["shift_jis"]),
        (
            "SHIFT_JIS/_chromium_Shift-JIS_with_no_encoding_specified.html",
            "定額給付金",
            &["shift_jis"],
        ),
        ("KOI8-R/_ude_1.txt", "гимназии", &["koi8-r", "koi8-u"]),
        (
            "KOI8-R/_chromium_KOI8-R_with_no_encoding_specified.html",
            "Новости",
            &["koi8-r", "koi8-u"],
        ),
        (
            "windows-1251-russian/_ude_1.txt",
            "гимназии",
            &["windows-1251"],
        ),
        (
            "windows-1251-russian/_chromium_windows-1251_with_no_encoding_specified.html",
            "Новости",
            &["windows-1251"],
        ),
        ("UTF-16LE/plane1-utf-16le.html", "𐌓𐌀𐌔𐌍𐌀", &["utf-16le"]),
    ] {
        let hit = one(&ix, &format!("{word} path:{file}"));
        assert!(
            charsets.contains(&hit.charset.as_deref().unwrap_or("")),
            "{file}: {:?}",
            hit.charset
        );
    }
    // ASCII-range text in UTF-16 without a byte-order mark: read, not refused as binary.
    for (file, charset) in [
        ("UTF-16LE/nobom-utf16le.txt", "utf-16le"),
        ("UTF-16BE/nobom-utf16be.txt", "utf-16be"),
    ] {
        let hit = one(&ix, &format!("path:{file}"));
        assert_eq!(hit.charset.as_deref(), Some(charset), "{file}");
        assert!(!hit.snippet.contains('\0'), "{file}: {}", hit.snippet);
    }
}
