//! PDF/A post-processing with lopdf: metadata, output intent, page labels, attachments, /ID.
//!
//! printpdf writes a plain PDF; this module turns it into PDF/A-1b (PDF 1.4), PDF/A-2b
//! (PDF 1.7, no attachments: the filing variant of a document) or PDF/A-3b (PDF 1.7):
//! - /Info rewritten from [`Metadata`]: Title, Author, Subject, Keywords, Creator, Producer,
//!   CreationDate and ModDate as `D:YYYYMMDDHHmmSS+00'00'` (UTC, numeric offset); printpdf's
//!   PDF/X leftovers (`GTS_PDFXVersion`, `Trapped`, `Identifier`, and any `GTS_PDFX` output
//!   intent) are removed;
//! - an uncompressed XMP metadata stream saying the same (pdfaid:part/conformance, dc:title,
//!   dc:creator, dc:description, dc:language, pdf:Keywords, pdf:Producer, xmp:CreatorTool,
//!   xmp:CreateDate, xmp:ModifyDate, xmp:MetadataDate), dates `YYYY-MM-DDTHH:mm:SS+00:00`
//!   equal to the /Info ones;
//! - an sRGB `GTS_PDFA1` output intent with the embedded ICC v2 profile of
//!   `assets/icc/sRGB.icc` (zlib licence);
//! - /Lang, /PageLabels, /ViewerPreferences /DisplayDocTitle;
//! - for PDF/A-3b, each attachment as an /EmbeddedFile (MIME /Subtype, /Params with /Size,
//!   /ModDate and /CheckSum) in a file specification with /AFRelationship, listed in the
//!   /EmbeddedFiles name tree and the catalog's /AF array;
//! - a classic cross-reference table (no object or xref streams), and a trailer /ID that is
//!   the first 16 bytes of the SHA-256 of the file written with a placeholder /ID: the same
//!   content always gives the same bytes.
//!
//! Nothing adds encryption, annotations, links, actions, JavaScript or form fields.

use lopdf::{dictionary, Dictionary, Object, ObjectId, Stream, StringFormat};
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, UtcOffset};

use super::doc::Metadata;
use super::options::{Attachment, RenderError};
use crate::format::document::PdfA;

const SRGB_ICC: &[u8] = include_bytes!("../../assets/icc/sRGB.icc");

/// The /Producer written in /Info and XMP.
pub const PRODUCER: &str = concat!(
    "scelle ",
    env!("CARGO_PKG_VERSION"),
    " (printpdf 0.12.8, lopdf 0.44)"
);
/// The /Creator (xmp:CreatorTool).
pub const CREATOR: &str = "scelle";

/// Page labels to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Labels {
    /// 1, 2, 3, …
    Decimal,
    /// One given label per page.
    Each(Vec<String>),
}

/// `D:YYYYMMDDHHmmSS+00'00'` in UTC.
pub fn pdf_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `YYYY-MM-DDTHH:mm:SS+00:00` in UTC: the XMP form of [`pdf_date`].
pub fn xmp_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A PDF text string: PDFDocEncoding-compatible ASCII as is, anything else UTF-16BE with BOM.
fn text_string(s: &str) -> Object {
    Object::String(
        text_bytes(s),
        if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            StringFormat::Literal
        } else {
            StringFormat::Hexadecimal
        },
    )
}

fn text_bytes(s: &str) -> Vec<u8> {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        s.as_bytes().to_vec()
    } else {
        let mut v = vec![0xfe, 0xff];
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_be_bytes());
        }
        v
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

fn keywords(meta: &Metadata) -> String {
    meta.keywords.join(", ")
}

/// The XMP packet for `meta`.
pub fn xmp_packet(meta: &Metadata, level: PdfA) -> String {
    let part = level.part();
    let date = xmp_date(meta.created);
    let mut dc = String::from("<dc:format>application/pdf</dc:format>");
    if !meta.title.is_empty() {
        dc += &format!(
            "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>",
            xml_escape(&meta.title)
        );
    }
    if !meta.author.is_empty() {
        dc += &format!(
            "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>",
            xml_escape(&meta.author)
        );
    }
    if !meta.subject.is_empty() {
        dc += &format!(
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>",
            xml_escape(&meta.subject)
        );
    }
    if !meta.language.is_empty() {
        dc += &format!(
            "<dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>",
            xml_escape(&meta.language)
        );
    }
    let mut pdf = format!("<pdf:Producer>{}</pdf:Producer>", xml_escape(PRODUCER));
    if !meta.keywords.is_empty() {
        pdf += &format!(
            "<pdf:Keywords>{}</pdf:Keywords>",
            xml_escape(&keywords(meta))
        );
    }
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\
<pdfaid:part>{part}</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>\n\
<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">{dc}</rdf:Description>\n\
<rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\
<xmp:CreatorTool>{creator}</xmp:CreatorTool><xmp:CreateDate>{date}</xmp:CreateDate>\
<xmp:ModifyDate>{date}</xmp:ModifyDate><xmp:MetadataDate>{date}</xmp:MetadataDate></rdf:Description>\n\
<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">{pdf}</rdf:Description>\n\
</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>",
        creator = xml_escape(CREATOR),
    )
}

fn info_dict(meta: &Metadata) -> Dictionary {
    let mut d = Dictionary::new();
    if !meta.title.is_empty() {
        d.set("Title", text_string(&meta.title));
    }
    if !meta.author.is_empty() {
        d.set("Author", text_string(&meta.author));
    }
    if !meta.subject.is_empty() {
        d.set("Subject", text_string(&meta.subject));
    }
    if !meta.keywords.is_empty() {
        d.set("Keywords", text_string(&keywords(meta)));
    }
    d.set("Creator", text_string(CREATOR));
    d.set("Producer", text_string(PRODUCER));
    let date = pdf_date(meta.created);
    d.set("CreationDate", Object::string_literal(date.clone()));
    d.set("ModDate", Object::string_literal(date));
    d
}

fn check_attachments(atts: &[Attachment]) -> Result<(), RenderError> {
    let mut names = std::collections::BTreeSet::new();
    for a in atts {
        if a.name.is_empty() || a.name.chars().any(char::is_control) {
            return Err(RenderError::Attachment(format!(
                "bad file name {:?}",
                a.name
            )));
        }
        if !names.insert(a.name.as_str()) {
            return Err(RenderError::Attachment(format!(
                "two attachments named {:?}",
                a.name
            )));
        }
        let ok_mime = a.mime.split_once('/').is_some_and(|(t, s)| {
            let tok =
                |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_graphic() && b != b'/');
            tok(t) && tok(s)
        });
        if !ok_mime {
            return Err(RenderError::Attachment(format!(
                "bad MIME type {:?} for {:?}",
                a.mime, a.name
            )));
        }
    }
    Ok(())
}

fn embed(doc: &mut lopdf::Document, a: &Attachment, created: OffsetDateTime) -> ObjectId {
    use md5::Md5;
    let params = dictionary! {
        "Size" => a.bytes.len() as i64,
        "ModDate" => Object::string_literal(pdf_date(a.modified.unwrap_or(created))),
        "CheckSum" => Object::String(Md5::digest(&a.bytes).to_vec(), StringFormat::Hexadecimal),
    };
    let stream = Stream::new(
        dictionary! {
            "Type" => "EmbeddedFile",
            "Subtype" => Object::Name(a.mime.as_bytes().to_vec()),
            "Params" => params,
        },
        a.bytes.clone(),
    );
    let file_id = doc.add_object(stream);
    let mut spec = dictionary! {
        "Type" => "Filespec",
        "F" => text_string(&a.name),
        "UF" => text_string(&a.name),
        "AFRelationship" => Object::Name(a.relationship.name().as_bytes().to_vec()),
        "EF" => dictionary! { "F" => file_id, "UF" => file_id },
    };
    if !a.description.is_empty() {
        spec.set("Desc", text_string(&a.description));
    }
    doc.add_object(spec)
}

/// `numGlyphs` of a TrueType font program (its `maxp` table).
fn truetype_glyph_count(font: &[u8]) -> Option<u16> {
    let be16 = |at: usize| {
        font.get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
    };
    let be32 = |at: usize| {
        font.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let tables = usize::from(be16(4)?);
    (0..tables).find_map(|i| {
        let rec = 12 + 16 * i;
        (font.get(rec..rec + 4)? == b"maxp").then_some(())?;
        be16(be32(rec + 8)? as usize + 4)
    })
}

/// PDF/A-1 requires a /CIDSet in the descriptor of every subset CID font: one bit per CID
/// present in the program. printpdf renumbers the subset's glyphs 0..n and maps CID = GID
/// (/CIDToGIDMap /Identity), so the set is the first n bits.
fn add_cid_sets(doc: &mut lopdf::Document) -> Result<(), RenderError> {
    let mut todo = Vec::new();
    for (id, obj) in &doc.objects {
        let Object::Dictionary(d) = obj else { continue };
        if !d
            .get(b"Type")
            .and_then(Object::as_name)
            .is_ok_and(|n| n == b"FontDescriptor")
        {
            continue;
        }
        let Ok(file) = d.get(b"FontFile2").and_then(Object::as_reference) else {
            continue;
        };
        let program = doc
            .get_object(file)
            .and_then(Object::as_stream)
            .and_then(Stream::get_plain_content)
            .map_err(|e| RenderError::Pdf(format!("font program: {e}")))?;
        let n = truetype_glyph_count(&program)
            .ok_or_else(|| RenderError::Pdf("font program without maxp table".into()))?;
        todo.push((*id, n));
    }
    for (id, n) in todo {
        let n = usize::from(n);
        let mut bits = vec![0u8; n.div_ceil(8)];
        for cid in 0..n {
            bits[cid / 8] |= 0x80 >> (cid % 8);
        }
        let set = doc.add_object(Stream::new(Dictionary::new(), bits));
        if let Ok(Object::Dictionary(d)) = doc.get_object_mut(id) {
            d.set("CIDSet", set);
        }
    }
    Ok(())
}

/// Makes `doc` PDF/A at `level` and writes it.
pub(crate) fn finish(
    mut doc: lopdf::Document,
    meta: &Metadata,
    level: PdfA,
    labels: &Labels,
    attachments: &[Attachment],
) -> Result<Vec<u8>, RenderError> {
    let pdf_err = |e: lopdf::Error| RenderError::Pdf(e.to_string());
    if !level.allows_attachments() && !attachments.is_empty() {
        return Err(RenderError::Attachment(format!(
            "PDF/A-{} allows no attachments",
            level.name()
        )));
    }
    check_attachments(attachments)?;
    doc.version = match level {
        PdfA::A1b => "1.4".into(),
        PdfA::A2b | PdfA::A3b => "1.7".into(),
    };
    doc.binary_mark = vec![0xe2, 0xe3, 0xcf, 0xd3];
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;

    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(pdf_err)?;
    let page_count = doc.get_pages().len();

    // /Info, rewritten in place (drops printpdf's GTS_PDFXVersion, Trapped, Identifier)
    let info = info_dict(meta);
    match doc.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => {
            doc.objects.insert(id, Object::Dictionary(info));
        }
        Err(_) => {
            let id = doc.add_object(info);
            doc.trailer.set("Info", id);
        }
    }

    add_cid_sets(&mut doc)?;

    // streams compressed before the XMP stream (which must stay uncompressed) is added
    doc.compress();

    let icc = Stream::new(dictionary! { "N" => 3 }, SRGB_ICC.to_vec());
    let icc_id = doc.add_object(icc);
    let intent = dictionary! {
        "Type" => "OutputIntent",
        "S" => "GTS_PDFA1",
        "OutputConditionIdentifier" => Object::string_literal("sRGB IEC61966-2.1"),
        "RegistryName" => Object::string_literal("http://www.color.org"),
        "Info" => Object::string_literal("sRGB IEC61966-2.1"),
        "DestOutputProfile" => icc_id,
    };
    let xmp = Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xmp_packet(meta, level).into_bytes(),
    )
    .with_compression(false);
    let xmp_id = doc.add_object(xmp);

    let nums = match labels {
        Labels::Decimal => vec![
            Object::Integer(0),
            Object::Dictionary(dictionary! { "S" => "D" }),
        ],
        Labels::Each(l) => l
            .iter()
            .take(page_count)
            .enumerate()
            .flat_map(|(i, s)| {
                [
                    Object::Integer(i as i64),
                    Object::Dictionary(dictionary! { "P" => text_string(s) }),
                ]
            })
            .collect(),
    };

    let mut files = Vec::new();
    if level.allows_attachments() {
        let mut sorted: Vec<&Attachment> = attachments.iter().collect();
        sorted.sort_by_key(|a| text_bytes(&a.name));
        for a in sorted {
            let id = embed(&mut doc, a, meta.created);
            files.push((a, id));
        }
        // compress the embedded files too (allowed by PDF/A-3)
        for (_, spec) in &files {
            let file_id = doc
                .get_dictionary(*spec)
                .and_then(|d| d.get(b"EF"))
                .and_then(Object::as_dict)
                .and_then(|d| d.get(b"F"))
                .and_then(Object::as_reference)
                .map_err(pdf_err)?;
            if let Ok(Object::Stream(s)) = doc.get_object_mut(file_id) {
                let _ = s.compress();
            }
        }
    }

    let catalog = doc.get_dictionary_mut(root).map_err(pdf_err)?;
    for key in [
        "OutputIntents",
        "Metadata",
        "OCProperties",
        "AcroForm",
        "OpenAction",
        "AA",
        "Names",
        "AF",
    ] {
        catalog.remove(key.as_bytes());
    }
    catalog.set("OutputIntents", vec![Object::Dictionary(intent)]);
    catalog.set("Metadata", xmp_id);
    if !meta.language.is_empty() {
        catalog.set("Lang", text_string(&meta.language));
    }
    catalog.set("PageLabels", dictionary! { "Nums" => nums });
    catalog.set(
        "ViewerPreferences",
        dictionary! { "DisplayDocTitle" => true },
    );
    if !files.is_empty() {
        let mut names = Vec::new();
        for (a, id) in &files {
            names.push(Object::String(
                text_bytes(&a.name),
                StringFormat::Hexadecimal,
            ));
            names.push(Object::Reference(*id));
        }
        catalog.set(
            "Names",
            dictionary! { "EmbeddedFiles" => dictionary! { "Names" => names } },
        );
        catalog.set(
            "AF",
            files
                .iter()
                .map(|(_, id)| Object::Reference(*id))
                .collect::<Vec<_>>(),
        );
    }

    // no annotations anywhere (printpdf adds none; make sure)
    for (_, obj) in doc.objects.iter_mut() {
        if let Object::Dictionary(d) = obj {
            if d.get(b"Type")
                .and_then(Object::as_name)
                .is_ok_and(|n| n == b"Page")
            {
                d.remove(b"Annots");
            }
        }
    }
    doc.prune_objects();

    // /ID: placeholder, write, hash, patch
    const PLACEHOLDER: [u8; 16] = *b"scelle-id-placeh";
    let ph = Object::String(PLACEHOLDER.to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", vec![ph.clone(), ph]);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)
        .map_err(|e| RenderError::Pdf(e.to_string()))?;
    let digest = Sha256::digest(&bytes);
    let hex_of = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<String>();
    let from = hex_of(&PLACEHOLDER);
    let to = hex_of(&digest[..16]);
    let tail_start = bytes
        .windows(7)
        .rposition(|w| w == b"trailer")
        .ok_or_else(|| RenderError::Pdf("no trailer".into()))?;
    let mut tail = String::from_utf8_lossy(&bytes[tail_start..]).into_owned();
    if tail.matches(&from).count() != 2 {
        return Err(RenderError::Pdf("trailer /ID placeholder not found".into()));
    }
    tail = tail.replace(&from, &to);
    bytes.truncate(tail_start);
    bytes.extend_from_slice(tail.as_bytes());
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_are_utc_with_numeric_offset_in_both_forms() {
        let t = datetime!(2025-03-14 10:30:05 +01:00);
        assert_eq!(pdf_date(t), "D:20250314093005+00'00'");
        assert_eq!(xmp_date(t), "2025-03-14T09:30:05+00:00");
    }

    #[test]
    fn text_strings_are_ascii_or_utf16() {
        assert_eq!(text_bytes("abc"), b"abc");
        assert_eq!(text_bytes("é"), vec![0xfe, 0xff, 0x00, 0xe9]);
    }

    #[test]
    fn xmp_escapes_and_names_the_part() {
        let meta = Metadata {
            title: "A & B <c>".into(),
            author: "Zoë".into(),
            subject: String::new(),
            keywords: vec![],
            language: "fr-FR".into(),
            created: datetime!(2025-01-01 0:00 UTC),
        };
        let x = xmp_packet(&meta, PdfA::A3b);
        assert!(x.contains("A &amp; B &lt;c&gt;"));
        assert!(x.contains("<pdfaid:part>3</pdfaid:part>"));
        assert!(!x.contains("dc:description"));
        let x = xmp_packet(&meta, PdfA::A2b);
        assert!(
            x.contains("<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>")
        );
    }
}
