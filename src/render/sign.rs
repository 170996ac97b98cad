//! A PDF signature added as an incremental update (ISO 32000-1 7.5.6, 12.8): the original
//! bytes are kept as they are, and appended after them are the new objects, a
//! cross-reference section for them (a classic table, as the original's) and a trailer with
//! /Prev. What is appended, for PAdES (ETSI EN 319 142-1) and PDF/A-2/3 (ISO 19005-2 6.3,
//! 6.4.3):
//! - the catalog, again, with an /AcroForm `<< /Fields [field] /SigFlags 3 >>`;
//! - the first page, again, with the field's widget in its /Annots;
//! - the signature field merged with its invisible widget: /FT /Sig, /Rect [0 0 0 0], /F 132
//!   (Print and Locked; never Hidden, Invisible or NoView), its appearance /AP << /N >> an
//!   empty form XObject (PDF/A-1 asks one of every widget; PDF/A-2 allows only /N);
//! - the signature dictionary: /Filter /Adobe.PPKLite, /SubFilter /ETSI.CAdES.detached,
//!   /ByteRange covering the whole file but /Contents, /Contents a hex string reserved for the
//!   CMS and zero-padded, /M, /Name, and /Reason and /Location when given.
//!
//! The caller makes the CMS from the two signed ranges ([`sign_pdf`]); this module knows no
//! keys.

use lopdf::{Dictionary, Object, ObjectId};
use std::io::Write;

use super::pdfa::pdf_date;

/// Why a PDF could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum PdfSignError {
    /// The PDF does not parse, or lacks what a signature needs.
    #[error("cannot sign the PDF: {0}")]
    Pdf(String),
    /// The CMS is larger than the space reserved for it.
    #[error("cannot sign the PDF: the signature ({got} bytes) is larger than the {reserved} bytes reserved")]
    TooLarge {
        /// The CMS size.
        got: usize,
        /// The space reserved.
        reserved: usize,
    },
    /// Making the CMS failed.
    #[error("{0}")]
    Cms(String),
}

impl From<PdfSignError> for crate::error::Error {
    fn from(e: PdfSignError) -> Self {
        crate::error::Error::input(e.to_string())
    }
}

/// What the signature dictionary says.
#[derive(Debug, Clone)]
pub struct SignatureFields {
    /// /Name: the signer's name.
    pub name: String,
    /// /Reason, if any.
    pub reason: Option<String>,
    /// /Location, if any.
    pub location: Option<String>,
    /// /M: the time of signing.
    pub time: time::OffsetDateTime,
    /// The field's name (/T).
    pub field_name: String,
}

/// A PDF text string: literal when printable ASCII, else UTF-16BE with its byte order mark
/// (hex).
fn text(s: &str) -> Vec<u8> {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        let mut out = b"(".to_vec();
        for b in s.bytes() {
            if matches!(b, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b')');
        out
    } else {
        let mut bytes = vec![0xfe, 0xff];
        for u in s.encode_utf16() {
            bytes.extend_from_slice(&u.to_be_bytes());
        }
        hex_string(&bytes)
    }
}

fn hex_string(bytes: &[u8]) -> Vec<u8> {
    let mut out = b"<".to_vec();
    out.extend_from_slice(crate::format::encoding::hex(bytes).as_bytes());
    out.push(b'>');
    out
}

fn name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &b in n {
        if (0x21..0x7f).contains(&b) && !b"()<>[]{}/%#".contains(&b) {
            out.push(b);
        } else {
            let _ = write!(out, "#{b:02X}");
        }
    }
}

/// Writes a direct object (no stream) as PDF syntax.
fn object(out: &mut Vec<u8>, o: &Object) -> Result<(), PdfSignError> {
    match o {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Object::Real(r) => {
            if !r.is_finite() {
                return Err(PdfSignError::Pdf(format!(
                    "a real number {r} in the catalog or page"
                )));
            }
            let _ = write!(out, "{r}");
        }
        Object::Name(n) => name(out, n),
        Object::String(s, _) => out.extend_from_slice(&hex_string(s)),
        Object::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                object(out, x)?;
            }
            out.push(b']');
        }
        Object::Dictionary(d) => dictionary(out, d)?,
        Object::Reference((n, g)) => {
            let _ = write!(out, "{n} {g} R");
        }
        Object::Stream(_) => {
            return Err(PdfSignError::Pdf(
                "a stream as a direct value of the catalog or page".into(),
            ))
        }
    }
    Ok(())
}

fn dictionary(out: &mut Vec<u8>, d: &Dictionary) -> Result<(), PdfSignError> {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        name(out, k);
        out.push(b' ');
        object(out, v)?;
    }
    out.extend_from_slice(b">>");
    Ok(())
}

/// The offset the last `startxref` of `pdf` gives.
fn last_startxref(pdf: &[u8]) -> Option<u64> {
    let tail_start = pdf.len().saturating_sub(1024);
    let tail = &pdf[tail_start..];
    let at = tail.windows(9).rposition(|w| w == b"startxref")?;
    let rest = std::str::from_utf8(&tail[at + 9..]).ok()?;
    rest.split_whitespace().next()?.parse().ok()
}

const RANGE_WIDTH: usize = 10;

/// Makes the CMS from the signed byte ranges (an error as its message).
pub type MakeCms<'a> = &'a dyn Fn(&[&[u8]]) -> Result<Vec<u8>, String>;

/// `pdf` with a signature appended as an incremental update: `reserve` bytes are kept for the
/// CMS, which `cms` makes from the two signed byte ranges (everything but the /Contents hex
/// string). The original bytes are a prefix of the result.
pub fn sign_pdf(
    pdf: &[u8],
    fields: &SignatureFields,
    reserve: usize,
    cms: MakeCms<'_>,
) -> Result<Vec<u8>, PdfSignError> {
    let bad = |m: String| PdfSignError::Pdf(m);
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| bad(format!("it does not parse: {e}")))?;
    let prev = last_startxref(pdf).ok_or_else(|| bad("no startxref".into()))?;
    let root: ObjectId = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| bad("the trailer has no /Root".into()))?;
    let mut catalog = doc
        .get_dictionary(root)
        .map_err(|_| bad("the catalog is not a dictionary".into()))?
        .clone();
    if catalog.has(b"AcroForm") {
        return Err(bad(
            "it already has a form (AcroForm); scelle signs the documents it renders".into(),
        ));
    }
    let page_id = *doc
        .get_pages()
        .values()
        .next()
        .ok_or_else(|| bad("it has no page".into()))?;
    let mut page = doc
        .get_dictionary(page_id)
        .map_err(|_| bad("the first page is not a dictionary".into()))?
        .clone();
    let size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .map_err(|_| bad("the trailer has no /Size".into()))?;
    let size = u32::try_from(size).map_err(|_| bad(format!("/Size {size}")))?;
    let field_id: ObjectId = (size, 0);
    let sig_id: ObjectId = (size + 1, 0);
    let appearance_id: ObjectId = (size + 2, 0);

    let mut annots = match page.get(b"Annots") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(Object::Reference(r)) => doc
            .get_object(*r)
            .and_then(Object::as_array)
            .map_err(|_| bad("the first page's /Annots is not an array".into()))?
            .clone(),
        _ => Vec::new(),
    };
    annots.push(Object::Reference(field_id));
    page.set("Annots", Object::Array(annots));
    let mut acroform = Dictionary::new();
    acroform.set("Fields", Object::Array(vec![Object::Reference(field_id)]));
    acroform.set("SigFlags", Object::Integer(3));
    catalog.set("AcroForm", Object::Dictionary(acroform));

    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: Vec<(ObjectId, usize)> = Vec::new();
    let mut put = |out: &mut Vec<u8>, id: ObjectId, body: &[u8]| {
        offsets.push((id, out.len()));
        let _ = writeln!(out, "{} {} obj", id.0, id.1);
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    let mut b = Vec::new();
    dictionary(&mut b, &catalog)?;
    put(&mut out, root, &b);
    let mut b = Vec::new();
    dictionary(&mut b, &page)?;
    put(&mut out, page_id, &b);
    let mut b = Vec::new();
    let _ = write!(
        b,
        "<</Type /Annot /Subtype /Widget /FT /Sig /T {} /F 132 /Rect [0 0 0 0] /P {} {} R /V {} {} R /AP <</N {} {} R>>>>",
        String::from_utf8_lossy(&text(&fields.field_name)),
        page_id.0,
        page_id.1,
        sig_id.0,
        sig_id.1,
        appearance_id.0,
        appearance_id.1
    );
    put(&mut out, field_id, &b);
    // an empty appearance: PDF/A-1 (and PDFBox Preflight) want one on every widget
    put(
        &mut out,
        appearance_id,
        b"<</Type /XObject /Subtype /Form /BBox [0 0 0 0] /Length 0>>\nstream\n\nendstream",
    );

    // the signature dictionary, with placeholders
    let mut b = Vec::new();
    b.extend_from_slice(
        b"<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [",
    );
    let range_at_in_b = b.len();
    b.extend_from_slice(format!("{:w$} {:w$} {:w$} {:w$}", 0, 0, 0, 0, w = RANGE_WIDTH).as_bytes());
    b.extend_from_slice(b"] /Contents <");
    let contents_at_in_b = b.len() - 1;
    b.extend(std::iter::repeat_n(b'0', 2 * reserve));
    b.extend_from_slice(b"> /M ");
    b.extend_from_slice(&text(&pdf_date(fields.time)));
    b.extend_from_slice(b" /Name ");
    b.extend_from_slice(&text(&fields.name));
    if let Some(r) = &fields.reason {
        b.extend_from_slice(b" /Reason ");
        b.extend_from_slice(&text(r));
    }
    if let Some(l) = &fields.location {
        b.extend_from_slice(b" /Location ");
        b.extend_from_slice(&text(l));
    }
    b.extend_from_slice(b">>");
    let sig_obj_at = out.len() + format!("{} {} obj\n", sig_id.0, sig_id.1).len();
    put(&mut out, sig_id, &b);
    let range_at = sig_obj_at + range_at_in_b;
    let contents_start = sig_obj_at + contents_at_in_b;
    let contents_end = contents_start + 2 * reserve + 2;

    // the cross-reference section, one subsection per run of consecutive numbers
    offsets.sort();
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n");
    let mut i = 0;
    while i < offsets.len() {
        let mut j = i + 1;
        while j < offsets.len() && offsets[j].0 .0 == offsets[j - 1].0 .0 + 1 {
            j += 1;
        }
        let _ = writeln!(out, "{} {}", offsets[i].0 .0, j - i);
        for (id, at) in &offsets[i..j] {
            let _ = writeln!(out, "{:010} {:05} n ", at, id.1);
        }
        i = j;
    }
    let mut trailer = Dictionary::new();
    trailer.set("Size", Object::Integer(i64::from(size) + 3));
    trailer.set("Root", Object::Reference(root));
    if let Ok(info) = doc.trailer.get(b"Info") {
        trailer.set("Info", info.clone());
    }
    if let Ok(id) = doc.trailer.get(b"ID") {
        trailer.set("ID", id.clone());
    }
    trailer.set("Prev", Object::Integer(prev as i64));
    out.extend_from_slice(b"trailer\n");
    dictionary(&mut out, &trailer)?;
    let _ = write!(out, "\nstartxref\n{xref_at}\n%%EOF\n");

    // the byte ranges, then the CMS over them
    let ranges = [0, contents_start, contents_end, out.len() - contents_end];
    let text_ranges = format!(
        "{:w$} {:w$} {:w$} {:w$}",
        ranges[0],
        ranges[1],
        ranges[2],
        ranges[3],
        w = RANGE_WIDTH
    );
    out[range_at..range_at + text_ranges.len()].copy_from_slice(text_ranges.as_bytes());
    let signed = cms(&[&out[..contents_start], &out[contents_end..]]).map_err(PdfSignError::Cms)?;
    if signed.len() > reserve {
        return Err(PdfSignError::TooLarge {
            got: signed.len(),
            reserved: reserve,
        });
    }
    let hex = crate::format::encoding::hex(&signed);
    out[contents_start + 1..contents_start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}
