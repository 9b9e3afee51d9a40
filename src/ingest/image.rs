//! Images: JPEG, PNG, TIFF (and the camera raw formats built on it), HEIF/HEIC/AVIF, WebP,
//! GIF and BMP, each one document of kind `image` whose provenance is the whole file.
//!
//! What is read: the EXIF metadata (kamadak-exif, for JPEG, TIFF, HEIF, PNG and WebP): when the
//! picture was taken (`DateTimeOriginal`, else `DateTimeDigitized`, with `OffsetTimeOriginal`
//! when the camera wrote it; date source `exif`), the GPS position (flag `gps`), the camera's
//! make and model, its size in pixels, and the words a person typed into it (`ImageDescription`,
//! `UserComment`, `Artist` as the author). An XMP packet fills what EXIF lacks (date, make,
//! model, description). With OCR on ([`super::ocr`]), the text Tesseract reads in the pixels
//! is the body, flagged `ocr`; otherwise the image is flagged `needs-ocr`. HEIF is not handed
//! to Tesseract, which cannot decode it.
//!
//! Left out: IPTC, maker notes, thumbnails, and every frame of an animation but the first.
//!
//! kamadak-exif is third-party code reading hostile bytes in this process: its allocations are
//! bounded by the segment and box sizes it reads, which cannot exceed the file, and a panic is
//! caught ([`crate::isolate::catch`]) and costs the metadata, not the image or the run.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::format::{Format, Sniff};
use super::{ocr, Context, Skip, Unit};
use crate::doc::{
    DateQuality, DateSource, Doc, GpsPosition, ImageMeta, Kind, Mailbox, Provenance, FLAG_GPS,
    LOCAL_TIME,
};

/// The flag of an image whose EXIF could not be read (damaged or cut short): it is indexed
/// with what the rest gives.
pub const FLAG_EXIF_UNREADABLE: &str = "exif-unreadable";

/// Most bytes of text taken from one metadata field (a description, a comment).
const MAX_FIELD_BYTES: usize = 64 << 10;

/// The image format `head` starts with, if any.
pub fn kind_of(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"\xff\xd8\xff") {
        Some(Format::Jpeg)
    } else if is_png(head) {
        Some(Format::Png)
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        Some(Format::Tiff)
    } else if is_heif(head) {
        Some(Format::Heif)
    } else if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(Format::Gif)
    } else if is_bmp(head) {
        Some(Format::Bmp)
    } else {
        None
    }
}

/// PNG's signature, then the `IHDR` chunk every PNG starts with, its size in pixels within the
/// format's bounds: junk behind a PNG signature is not taken for a picture.
fn is_png(head: &[u8]) -> bool {
    let dimension = |at: usize| {
        head.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .is_some_and(|n| (1..=0x7fff_ffff).contains(&n))
    };
    head.starts_with(b"\x89PNG\r\n\x1a\n")
        && head.get(8..16) == Some(b"\0\0\0\x0dIHDR")
        && dimension(16)
        && dimension(20)
}

/// An ISO base media file (`ftyp` box first) whose brand is one of HEIF's or AVIF's.
fn is_heif(head: &[u8]) -> bool {
    const BRANDS: [&[u8; 4]; 9] = [
        b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif",
    ];
    if head.len() < 12 || &head[4..8] != b"ftyp" {
        return false;
    }
    let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    // The major brand, then the compatible brands the box lists within the head.
    let end = size.clamp(12, head.len());
    std::iter::once(&head[8..12])
        .chain(head.get(16..end).unwrap_or(&[]).chunks_exact(4))
        .any(|b| BRANDS.iter().any(|x| &x[..] == b))
}

/// `BM`, then a file size and a header size that a BMP would have: two letters alone are too
/// common a start for text.
fn is_bmp(head: &[u8]) -> bool {
    if head.len() < 18 || !head.starts_with(b"BM") {
        return false;
    }
    let header = u32::from_le_bytes([head[14], head[15], head[16], head[17]]);
    head[6..10] == [0, 0, 0, 0] && matches!(header, 12 | 40 | 52 | 56 | 64 | 108 | 124)
}

pub(crate) fn sniff_jpeg(s: &Sniff) -> bool {
    kind_of(s.head) == Some(Format::Jpeg)
}
pub(crate) fn sniff_png(s: &Sniff) -> bool {
    kind_of(s.head) == Some(Format::Png)
}
pub(crate) fn sniff_tiff(s: &Sniff) -> bool {
    kind_of(s.head) == Some(Format::Tiff)
}
pub(crate) fn sniff_heif(s: &Sniff) -> bool {
    kind_of(s.head) == Some(Format::Heif)
}
pub(crate) fn sniff_webp(s: &Sniff) -> bool {
    kind_of(s.head) == Some(Format::Webp)
}
pub(crate) fn sniff_gif(s: &Sniff) -> bool {
    kind_of(s.head) == Some(Format::Gif)
}
pub(crate) fn sniff_bmp(s: &Sniff) -> bool {
    kind_of(s.head) == Some(Format::Bmp)
}

/// The image format and metadata of `bytes`, as the reader takes them (`None` when no image
/// magic starts it): for the fuzz target and tools. Never panics.
pub fn metadata(bytes: &[u8]) -> Option<(Format, ImageMeta)> {
    let format = kind_of(bytes)?;
    let mut m = read_metadata(bytes, format);
    m.image.taken = m.taken.map(|t| t.raw);
    Some((format, m.image))
}

/// The registry's reader for every image format: one document, the whole unit.
pub(crate) fn read(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    let format = kind_of(unit.bytes)
        .ok_or_else(|| Skip::Unextractable("not an image: no known magic number".to_owned()))?;
    emit(image_doc(unit, format, ctx));
    Ok(format)
}

fn image_doc(unit: &Unit<'_>, format: Format, ctx: &Context) -> Doc {
    let source = Provenance {
        path: unit.vpath.to_owned(),
        offset: 0,
        length: unit.bytes.len() as u64,
        sha256: unit
            .sha256
            .map(str::to_owned)
            .unwrap_or_else(|| crate::doc::sha256_hex(unit.bytes)),
        item: None,
    };
    let mut doc = Doc::new(Kind::Image, format.as_str(), source);
    doc.subject = unit.name().to_owned();
    let mut meta = read_metadata(unit.bytes, format);
    meta.image.taken = meta.taken.as_ref().map(|t| t.raw.clone());
    if meta.unreadable {
        doc.flags.push(FLAG_EXIF_UNREADABLE);
    }
    if meta.image.gps.is_some() {
        doc.flags.push(FLAG_GPS);
    }
    doc.from = meta.artist.map(|a| Mailbox {
        address: String::new(),
        name: Some(a),
        written: None,
    });
    match &meta.taken {
        Some(taken) => set_taken(&mut doc, taken, ctx.now),
        None => super::set_document_date(&mut doc, None, unit.mtime, ctx.now),
    }
    let mut body = meta.text;
    if format != Format::Heif {
        read_text(&mut doc, &mut body, unit.bytes, ctx);
    }
    doc.body = body;
    doc.image = Some(meta.image);
    doc
}

/// OCR of the pixels into `body` when it is on; otherwise the image is flagged `needs-ocr`.
fn read_text(doc: &mut Doc, body: &mut String, bytes: &[u8], ctx: &Context) {
    let Some(engine) = &ctx.ocr else {
        doc.flags.push(ocr::FLAG_NEEDS_OCR);
        ctx.count_needs_ocr();
        return;
    };
    match engine.image_text(bytes) {
        Ok(text) => {
            engine.stats.count(true);
            doc.flags.push(ocr::FLAG_OCR);
            if !text.is_empty() {
                if !body.is_empty() {
                    body.push_str("\n\n");
                }
                body.push_str(&text);
            }
        }
        Err(_) => {
            engine.stats.count(false);
            doc.flags.push(ocr::FLAG_OCR_FAILED);
        }
    }
}

/// The date an image was taken, judged like any other date; without an offset, a wall-clock
/// time of unknown zone, stored as if UTC and flagged `local-time` (as WhatsApp's are).
fn set_taken(doc: &mut Doc, taken: &Taken, now: DateTime<Utc>) {
    doc.date_source = DateSource::Exif;
    doc.date_raw = Some(taken.raw.clone());
    let rfc3339 = match taken.offset_minutes {
        Some(m) => {
            let sign = if m < 0 { '-' } else { '+' };
            let m = m.unsigned_abs();
            format!(
                "{}{sign}{:02}:{:02}",
                taken.local.format("%Y-%m-%dT%H:%M:%S"),
                m / 60,
                m % 60
            )
        }
        None => format!("{}Z", taken.local.format("%Y-%m-%dT%H:%M:%S")),
    };
    let assessed = super::date::assess(Some(&rfc3339), now);
    doc.date_quality = assessed.quality;
    doc.date = assessed.utc;
    if assessed.quality == DateQuality::Ok {
        match taken.offset_minutes {
            Some(m) => doc.tz_offset_minutes = Some(i32::from(m)),
            None => doc.flags.push(LOCAL_TIME),
        }
    }
}

/// When a picture was taken, as its metadata says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Taken {
    /// The camera's wall clock.
    local: NaiveDateTime,
    /// Its offset from UTC in minutes, when the metadata gives it.
    offset_minutes: Option<i16>,
    /// As written.
    raw: String,
}

/// Everything read from an image's metadata.
#[derive(Debug, Default)]
struct Metadata {
    image: ImageMeta,
    taken: Option<Taken>,
    artist: Option<String>,
    /// Words a person wrote into the file: description, comment, title.
    text: String,
    /// EXIF was there but could not be read.
    unreadable: bool,
}

/// EXIF, then XMP for what EXIF lacks. Never panics: a panic of the EXIF reader is caught and
/// counts as unreadable EXIF.
fn read_metadata(bytes: &[u8], format: Format) -> Metadata {
    let mut m = Metadata::default();
    if matches!(
        format,
        Format::Jpeg | Format::Png | Format::Tiff | Format::Heif | Format::Webp
    ) {
        match crate::isolate::catch(|| read_exif(bytes, &mut m)) {
            Ok(Ok(())) => {}
            Ok(Err(ExifMissing)) => {}
            Err(_panic) => {
                m = Metadata::default();
                m.unreadable = true;
            }
        }
    }
    if let Some(packet) = xmp_packet(bytes) {
        fill_from_xmp(&mut m, packet);
    }
    m
}

/// The file holds no EXIF (not an error: most PNGs and GIFs have none).
struct ExifMissing;

fn read_exif(bytes: &[u8], m: &mut Metadata) -> Result<(), ExifMissing> {
    use exif::{In, Tag};
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    let exif = match reader.read_from_container(&mut std::io::Cursor::new(bytes)) {
        Ok(exif) => exif,
        Err(exif::Error::PartialResult(partial)) => {
            let (exif, _errors) = partial.into_inner();
            m.unreadable = true;
            exif
        }
        Err(exif::Error::NotFound(_)) => return Err(ExifMissing),
        Err(_) => {
            m.unreadable = true;
            return Err(ExifMissing);
        }
    };
    let ascii = |tag: Tag| -> Option<String> {
        match &exif.get_field(tag, In::PRIMARY)?.value {
            exif::Value::Ascii(parts) => clean(&parts.concat()),
            _ => None,
        }
    };
    m.image.camera_make = ascii(Tag::Make);
    m.image.camera_model = ascii(Tag::Model);
    m.artist = ascii(Tag::Artist);
    for (date, offset) in [
        (Tag::DateTimeOriginal, Tag::OffsetTimeOriginal),
        (Tag::DateTimeDigitized, Tag::OffsetTimeDigitized),
    ] {
        if let Some(t) = ascii(date).and_then(|raw| parse_exif_date(&raw, ascii(offset))) {
            m.taken = Some(t);
            break;
        }
    }
    let uint = |tag: Tag| {
        exif.get_field(tag, In::PRIMARY)
            .and_then(|f| f.value.get_uint(0))
    };
    m.image.width = uint(Tag::PixelXDimension).or_else(|| uint(Tag::ImageWidth));
    m.image.height = uint(Tag::PixelYDimension).or_else(|| uint(Tag::ImageLength));
    let coordinate = |value: Tag, reference: Tag| -> Option<f64> {
        let degrees = match &exif.get_field(value, In::PRIMARY)?.value {
            exif::Value::Rational(r) if !r.is_empty() => dms(r),
            _ => return None,
        }?;
        let negative = ascii(reference).is_some_and(|r| r.starts_with(['S', 'W', 's', 'w']));
        Some(if negative { -degrees } else { degrees })
    };
    let lat = coordinate(Tag::GPSLatitude, Tag::GPSLatitudeRef);
    let lon = coordinate(Tag::GPSLongitude, Tag::GPSLongitudeRef);
    m.image.gps = position(lat, lon);
    for tag in [Tag::ImageDescription, Tag::UserComment] {
        let text = match &exif.get_field(tag, In::PRIMARY).map(|f| &f.value) {
            Some(exif::Value::Ascii(parts)) => clean(&parts.concat()),
            Some(exif::Value::Undefined(bytes, _)) => user_comment(bytes),
            _ => None,
        };
        if let Some(t) = text {
            add_text(&mut m.text, &t);
        }
    }
    Ok(())
}

/// Degrees, minutes and seconds (each a rational; minutes and seconds may be missing) as
/// decimal degrees; `None` for a zero denominator.
fn dms(r: &[exif::Rational]) -> Option<f64> {
    let part = |i: usize| -> Option<f64> {
        match r.get(i) {
            None => Some(0.0),
            Some(x) if x.denom == 0 => None,
            Some(x) => Some(x.to_f64()),
        }
    };
    Some(part(0)? + part(1)? / 60.0 + part(2)? / 3600.0)
}

/// A position when both coordinates are there, finite and on the globe.
fn position(lat: Option<f64>, lon: Option<f64>) -> Option<GpsPosition> {
    let (lat, lon) = (lat?, lon?);
    (lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0).then(|| {
        // Six decimals (about 0.1 m) are all a GPS gives; more digits are noise of the
        // conversion from rationals.
        let round = |x: f64| (x * 1e6).round() / 1e6;
        GpsPosition {
            lat: round(lat),
            lon: round(lon),
        }
    })
}

/// `2008:10:22 16:28:39` (EXIF) with its offset field (`+02:00`), if any.
fn parse_exif_date(raw: &str, offset: Option<String>) -> Option<Taken> {
    let local = NaiveDateTime::parse_from_str(raw.get(..19)?, "%Y:%m:%d %H:%M:%S").ok()?;
    let offset_minutes = offset.as_deref().and_then(parse_offset);
    let raw = match &offset {
        Some(o) if offset_minutes.is_some() => format!("{raw} {o}"),
        _ => raw.to_owned(),
    };
    Some(Taken {
        local,
        offset_minutes,
        raw,
    })
}

/// `+02:00`, `-05:30`: minutes east of UTC, within a day.
fn parse_offset(s: &str) -> Option<i16> {
    let s = s.trim();
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = s.get(1..)?.split_once(':')?;
    let (h, m): (i16, i16) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    (h < 24 && m < 60).then_some(sign * (h * 60 + m))
}

/// EXIF's UserComment: an 8-byte character code, then the text.
fn user_comment(bytes: &[u8]) -> Option<String> {
    let (code, text) = (bytes.get(..8)?, bytes.get(8..)?);
    let text = &text[..text.len().min(MAX_FIELD_BYTES)];
    let decoded = match code {
        b"UNICODE\0" => {
            // UCS-2, in the byte order of the EXIF block, which is not at hand: the order that
            // puts more zero bytes high (ASCII text) wins.
            let le = text.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
            let be = text.iter().step_by(2).filter(|&&b| b == 0).count();
            let units = text.chunks_exact(2).map(|c| {
                if le >= be {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            });
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        }
        _ => String::from_utf8_lossy(text).into_owned(),
    };
    clean(decoded.as_bytes())
}

/// Text of a metadata field: NULs and padding blanks gone, at most [`MAX_FIELD_BYTES`];
/// `None` when nothing is left.
fn clean(bytes: &[u8]) -> Option<String> {
    let bytes = &bytes[..bytes.len().min(MAX_FIELD_BYTES)];
    let s = String::from_utf8_lossy(bytes);
    let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!s.is_empty()).then(|| s.replace('\0', " "))
}

fn add_text(text: &mut String, more: &str) {
    if text.contains(more) {
        return;
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(more);
}

/// Most bytes of an XMP packet read.
const MAX_XMP_BYTES: usize = 1 << 20;

/// The XMP packet (`<x:xmpmeta ...>...</x:xmpmeta>`) in `bytes`, if there is one.
fn xmp_packet(bytes: &[u8]) -> Option<&str> {
    let start = find(bytes, b"<x:xmpmeta")?;
    let rest = &bytes[start..bytes.len().min(start + MAX_XMP_BYTES)];
    let end = find(rest, b"</x:xmpmeta>").map_or(rest.len(), |e| e + "</x:xmpmeta>".len());
    std::str::from_utf8(&rest[..end]).ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Fills what EXIF left empty from the XMP packet.
fn fill_from_xmp(m: &mut Metadata, xmp: &str) {
    if m.taken.is_none() {
        m.taken = [
            "exif:DateTimeOriginal",
            "photoshop:DateCreated",
            "xmp:CreateDate",
        ]
        .iter()
        .find_map(|p| xmp_value(xmp, p).and_then(|v| parse_xmp_date(&v)));
    }
    if m.image.camera_make.is_none() {
        m.image.camera_make = xmp_value(xmp, "tiff:Make");
    }
    if m.image.camera_model.is_none() {
        m.image.camera_model = xmp_value(xmp, "tiff:Model");
    }
    if let Some(d) = xmp_value(xmp, "dc:description") {
        add_text(&mut m.text, &d);
    }
}

/// The value of property `name` in an XMP packet, written as an attribute (`name="v"`) or an
/// element (`<name>v</name>`, or a language alternative inside it); entities decoded.
fn xmp_value(xmp: &str, name: &str) -> Option<String> {
    let attr = format!("{name}=\"");
    if let Some(i) = xmp.find(&attr) {
        let v = &xmp[i + attr.len()..];
        return v.split('"').next().and_then(unescape);
    }
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let i = xmp.find(&open)? + open.len();
    let inner = &xmp[i..i + xmp[i..].find(&close)?];
    // Text without the tags of `rdf:Alt`/`rdf:li` around it.
    let mut text = String::new();
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    unescape(text.trim())
}

fn unescape(v: &str) -> Option<String> {
    let v = v
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    clean(v.as_bytes())
}

/// An XMP date: ISO 8601 with or without seconds and offset.
fn parse_xmp_date(v: &str) -> Option<Taken> {
    let v = v.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(v) {
        return Some(Taken {
            local: d.naive_local(),
            offset_minutes: i16::try_from(d.offset().local_minus_utc() / 60).ok(),
            raw: v.to_owned(),
        });
    }
    let local = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())?;
    Some(Taken {
        local,
        offset_minutes: None,
        raw: v.to_owned(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Degrees, minutes and hundredths of seconds of latitude, its N/S reference, then the same
    /// of longitude with E/W.
    type Gps = ((u32, u32, u32), char, (u32, u32, u32), char);

    /// A JPEG of one grey 8x8 block with an EXIF APP1 segment holding Make, Model,
    /// DateTimeOriginal, OffsetTimeOriginal and a GPS position (big-endian TIFF), built by hand.
    pub(crate) fn jpeg_with_exif(
        make: &str,
        model: &str,
        taken: &str,
        offset: Option<&str>,
        gps: Option<Gps>,
    ) -> Vec<u8> {
        let tiff = tiff_block(make, model, taken, offset, gps);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let mut jpeg = vec![0xff, 0xd8, 0xff, 0xe1];
        jpeg.extend_from_slice(&u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
        jpeg.extend_from_slice(&app1);
        jpeg.extend_from_slice(&[0xff, 0xd9]);
        jpeg
    }

    /// A TIFF header and IFD0 -> Exif IFD (-> GPS IFD), every value out of line.
    fn tiff_block(
        make: &str,
        model: &str,
        taken: &str,
        offset: Option<&str>,
        gps: Option<Gps>,
    ) -> Vec<u8> {
        // (tag, type, count, value bytes); offsets patched in after layout.
        type Entry = (u16, u16, u32, Vec<u8>);
        let ascii = |s: &str| {
            let mut v = s.as_bytes().to_vec();
            v.push(0);
            v
        };
        let rational = |(d, m, s): (u32, u32, u32)| {
            let mut v = Vec::new();
            for (n, den) in [(d, 1), (m, 1), (s, 100)] {
                v.extend_from_slice(&n.to_be_bytes());
                v.extend_from_slice(&u32::to_be_bytes(den));
            }
            v
        };
        let mut ifd0: Vec<Entry> = vec![
            (0x010f, 2, make.len() as u32 + 1, ascii(make)),
            (0x0110, 2, model.len() as u32 + 1, ascii(model)),
            (0x8769, 4, 1, vec![]), // Exif IFD pointer, patched
        ];
        let mut exif_ifd: Vec<Entry> = vec![(0x9003, 2, 20, ascii(taken))];
        if let Some(o) = offset {
            exif_ifd.push((0x9011, 2, 7, ascii(o)));
        }
        let gps_ifd: Option<Vec<Entry>> = gps.map(|(lat, ns, lon, ew)| {
            vec![
                (0x0001, 2, 2, ascii(&ns.to_string())),
                (0x0002, 5, 3, rational(lat)),
                (0x0003, 2, 2, ascii(&ew.to_string())),
                (0x0004, 5, 3, rational(lon)),
            ]
        });
        if gps_ifd.is_some() {
            ifd0.push((0x8825, 4, 1, vec![]));
        }
        let ifd_len = |n: usize| 2 + 12 * n + 4;
        // Values of 4 bytes or fewer sit in their entry and take no data space.
        let data_len = |e: &[Entry]| {
            e.iter()
                .map(|x| if x.3.len() > 4 { x.3.len() } else { 0 })
                .sum::<usize>()
        };
        let ifd0_at = 8;
        let exif_at = ifd0_at + ifd_len(ifd0.len()) + data_len(&ifd0);
        let gps_at = exif_at + ifd_len(exif_ifd.len()) + data_len(&exif_ifd);
        for e in &mut ifd0 {
            match e.0 {
                0x8769 => e.3 = (exif_at as u32).to_be_bytes().to_vec(),
                0x8825 => e.3 = (gps_at as u32).to_be_bytes().to_vec(),
                _ => {}
            }
        }
        let mut out = b"MM\0*".to_vec();
        out.extend_from_slice(&(ifd0_at as u32).to_be_bytes());
        let write = |out: &mut Vec<u8>, at: usize, entries: &[Entry]| {
            assert_eq!(out.len(), at);
            let mut data_at = at + ifd_len(entries.len());
            let mut data = Vec::new();
            out.extend_from_slice(&(entries.len() as u16).to_be_bytes());
            for (tag, ty, count, value) in entries {
                out.extend_from_slice(&tag.to_be_bytes());
                out.extend_from_slice(&ty.to_be_bytes());
                out.extend_from_slice(&count.to_be_bytes());
                if value.len() <= 4 {
                    let mut v = value.clone();
                    v.resize(4, 0);
                    out.extend_from_slice(&v);
                } else {
                    out.extend_from_slice(&(data_at as u32).to_be_bytes());
                    data_at += value.len();
                    data.extend_from_slice(value);
                }
            }
            out.extend_from_slice(&0u32.to_be_bytes());
            out.extend_from_slice(&data);
        };
        write(&mut out, ifd0_at, &ifd0);
        write(&mut out, exif_at, &exif_ifd);
        if let Some(g) = &gps_ifd {
            write(&mut out, gps_at, g);
        }
        out
    }

    fn read_jpeg(bytes: &[u8]) -> Doc {
        let ctx = Context::new(Utc::now());
        let unit = Unit::of(bytes, "/dump/photo.jpg");
        let mut docs = Vec::new();
        let format = read(&unit, &ctx, &mut |d| docs.push(d), &mut |_, _| {}).unwrap();
        assert_eq!(format, Format::Jpeg);
        assert_eq!(docs.len(), 1);
        docs.remove(0)
    }

    #[test]
    fn magic_numbers() {
        assert_eq!(kind_of(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some(Format::Jpeg));
        assert_eq!(
            kind_of(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x10\0\0\0\x10\x08\x02"),
            Some(Format::Png)
        );
        // The signature before a header no PNG has (sample_corpus/malformed/junk.bin).
        assert_eq!(
            kind_of(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\x9c\x67\x89\x05\0\0\0\x10"),
            None
        );
        assert_eq!(kind_of(b"II*\0\x08\0\0\0"), Some(Format::Tiff));
        assert_eq!(kind_of(b"MM\0*\0\0\0\x08"), Some(Format::Tiff));
        assert_eq!(
            kind_of(b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic"),
            Some(Format::Heif)
        );
        assert_eq!(
            kind_of(b"\0\0\0\x18ftypisom\0\0\0\0isommp41"),
            None,
            "an MP4 is not an image"
        );
        assert_eq!(kind_of(b"RIFF\x10\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(kind_of(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(kind_of(b"GIF89a\x01\0\x01\0"), Some(Format::Gif));
        let mut bmp = b"BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0".to_vec();
        bmp.resize(70, 0);
        assert_eq!(kind_of(&bmp), Some(Format::Bmp));
        assert_eq!(kind_of(b"BMW drivers, a memo about the fleet"), None);
    }

    #[test]
    fn exif_date_camera_and_gps() {
        let jpeg = jpeg_with_exif(
            "NIKON",
            "COOLPIX P6000",
            "2008:10:22 16:28:39",
            Some("+02:00"),
            Some(((43, 28, 245), 'N', (11, 53, 645), 'E')),
        );
        let doc = read_jpeg(&jpeg);
        assert_eq!(doc.kind, Kind::Image);
        assert_eq!(doc.date_source, DateSource::Exif);
        assert_eq!(doc.date_quality, DateQuality::Ok);
        assert_eq!(
            doc.date.unwrap().to_rfc3339(),
            "2008-10-22T14:28:39+00:00",
            "local time +02:00 in UTC"
        );
        assert_eq!(doc.tz_offset_minutes, Some(120));
        assert_eq!(doc.date_raw.as_deref(), Some("2008:10:22 16:28:39 +02:00"));
        let image = doc.image.as_ref().unwrap();
        assert_eq!(image.camera_make.as_deref(), Some("NIKON"));
        assert_eq!(image.camera_model.as_deref(), Some("COOLPIX P6000"));
        let gps = image.gps.unwrap();
        assert!((gps.lat - (43.0 + 28.0 / 60.0 + 2.45 / 3600.0)).abs() < 1e-6);
        assert!((gps.lon - (11.0 + 53.0 / 60.0 + 6.45 / 3600.0)).abs() < 1e-6);
        assert!(doc.flags.contains(&FLAG_GPS));
        assert!(doc.flags.contains(&ocr::FLAG_NEEDS_OCR), "OCR is off");
        assert_eq!(doc.source.sha256, crate::doc::sha256_hex(&jpeg));
        assert_eq!(doc.source.length, jpeg.len() as u64);
    }

    #[test]
    fn a_date_without_offset_is_local_time_and_south_west_is_negative() {
        let jpeg = jpeg_with_exif(
            "Canon",
            "Canon EOS 40D",
            "2009:08:11 09:09:45",
            None,
            Some(((12, 32, 3556), 'S', (54, 7, 2400), 'W')),
        );
        let doc = read_jpeg(&jpeg);
        assert_eq!(doc.date.unwrap().to_rfc3339(), "2009-08-11T09:09:45+00:00");
        assert!(doc.flags.contains(&LOCAL_TIME));
        assert_eq!(doc.tz_offset_minutes, None);
        let gps = doc.image.unwrap().gps.unwrap();
        assert!(gps.lat < 0.0 && gps.lon < 0.0, "{gps:?}");
    }

    #[test]
    fn an_image_without_metadata_has_the_file_date() {
        let doc = read_jpeg(b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xd9");
        assert_eq!(doc.date, None);
        assert_eq!(doc.date_source, DateSource::Metadata);
        assert_eq!(doc.image, Some(ImageMeta::default()));
        assert!(!doc.flags.contains(&FLAG_GPS));
    }

    /// Every prefix and a spread of byte flips of an image with EXIF: no panic escapes, the
    /// image is always one document.
    #[test]
    fn damaged_exif_never_panics() {
        let jpeg = jpeg_with_exif(
            "NIKON",
            "E950",
            "2001:04:06 11:51:40",
            Some("-05:30"),
            Some(((1, 2, 3), 'N', (4, 5, 6), 'E')),
        );
        for cut in 3..jpeg.len() {
            let _ = read_jpeg(&jpeg[..cut]);
        }
        for i in 4..jpeg.len() {
            for b in [0u8, 0xff, 0x7f] {
                let mut bad = jpeg.clone();
                bad[i] = b;
                let _ = read_jpeg(&bad);
            }
        }
    }

    #[test]
    fn xmp_fills_what_exif_lacks() {
        let xmp = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description
            xmp:CreateDate="2016-10-03T10:00:00+01:00" tiff:Make="Apple" tiff:Model="iPhone 6">
            <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Meeting &amp; notes</rdf:li></rdf:Alt></dc:description>
            </rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let mut m = Metadata::default();
        fill_from_xmp(&mut m, xmp_packet(xmp.as_bytes()).unwrap());
        let taken = m.taken.unwrap();
        assert_eq!(taken.offset_minutes, Some(60));
        assert_eq!(m.image.camera_make.as_deref(), Some("Apple"));
        assert_eq!(m.image.camera_model.as_deref(), Some("iPhone 6"));
        assert_eq!(m.text, "Meeting & notes");
    }

    #[test]
    fn offsets_and_user_comments() {
        assert_eq!(parse_offset("+02:00"), Some(120));
        assert_eq!(parse_offset("-05:30"), Some(-330));
        assert_eq!(parse_offset("+25:00"), None);
        assert_eq!(parse_offset("02:00"), None);
        assert_eq!(
            user_comment(b"ASCII\0\0\0hello  \0\0").as_deref(),
            Some("hello")
        );
        assert_eq!(
            user_comment(b"UNICODE\0h\0i\0").as_deref(),
            Some("hi"),
            "UCS-2 little-endian"
        );
        assert_eq!(user_comment(b"\0\0\0\0\0\0\0\0    "), None);
        assert_eq!(position(Some(91.0), Some(0.0)), None);
        assert_eq!(position(Some(f64::NAN), Some(0.0)), None);
    }
}
