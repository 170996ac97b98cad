//! The embedded fonts and their metrics.
//!
//! Four faces are compiled into the binary (`assets/fonts/`, SIL OFL 1.1, see the README
//! there): Liberation Serif Regular, Bold, Italic and Liberation Mono Regular. Widths come
//! from each font's own `hmtx` table, read through the font parser printpdf uses (azul's
//! `ParsedFont`), so the layout measures exactly what the PDF viewer draws.

use std::collections::HashMap;

use printpdf::ParsedFont;

use super::options::RenderError;

const SERIF_REGULAR: &[u8] = include_bytes!("../../assets/fonts/LiberationSerif-Regular.ttf");
const SERIF_BOLD: &[u8] = include_bytes!("../../assets/fonts/LiberationSerif-Bold.ttf");
const SERIF_ITALIC: &[u8] = include_bytes!("../../assets/fonts/LiberationSerif-Italic.ttf");
const MONO_REGULAR: &[u8] = include_bytes!("../../assets/fonts/LiberationMono-Regular.ttf");

/// One of the embedded faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Face {
    /// Liberation Serif Regular.
    Serif,
    /// Liberation Serif Bold.
    SerifBold,
    /// Liberation Serif Italic.
    SerifItalic,
    /// Liberation Mono Regular.
    Mono,
}

impl Face {
    /// All faces, in a fixed order.
    pub const ALL: [Face; 4] = [Face::Serif, Face::SerifBold, Face::SerifItalic, Face::Mono];

    /// The face's name, as used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Face::Serif => "Liberation Serif Regular",
            Face::SerifBold => "Liberation Serif Bold",
            Face::SerifItalic => "Liberation Serif Italic",
            Face::Mono => "Liberation Mono Regular",
        }
    }

    /// Fixed PDF resource name; its first six letters are the subset tag (`SCLSRA+…`), so the
    /// output does not depend on a random number.
    pub(crate) fn resource_id(self) -> &'static str {
        match self {
            Face::Serif => "SCLSRA",
            Face::SerifBold => "SCLSRB",
            Face::SerifItalic => "SCLSRC",
            Face::Mono => "SCLMOA",
        }
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            Face::Serif => SERIF_REGULAR,
            Face::SerifBold => SERIF_BOLD,
            Face::SerifItalic => SERIF_ITALIC,
            Face::Mono => MONO_REGULAR,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A parsed face with a per-character advance cache.
struct FaceMetrics {
    font: ParsedFont,
    units_per_em: f32,
    ascent: f32,
    /// char → advance in 1/1000 em, or `None` when the font has no glyph for it.
    cache: HashMap<char, Option<f32>>,
}

/// The four faces, parsed, with width measurement.
pub struct Fonts {
    faces: Vec<FaceMetrics>,
}

impl Fonts {
    /// Parses the embedded fonts.
    pub fn load() -> Result<Self, RenderError> {
        let mut faces = Vec::with_capacity(4);
        for face in Face::ALL {
            let mut warnings = Vec::new();
            let font = ParsedFont::from_bytes(face.bytes(), 0, &mut warnings)
                .ok_or_else(|| RenderError::Font(format!("cannot parse {}", face.name())))?;
            let units_per_em = f32::from(font.font_metrics.units_per_em.max(1));
            let ascent = font.font_metrics.ascent / units_per_em;
            faces.push(FaceMetrics {
                font,
                units_per_em,
                ascent,
                cache: HashMap::new(),
            });
        }
        Ok(Self { faces })
    }

    /// The parsed font (for embedding).
    pub(crate) fn parsed(&self, face: Face) -> &ParsedFont {
        &self.faces[face.index()].font
    }

    /// Ascent as a fraction of the em.
    pub fn ascent(&self, face: Face) -> f32 {
        self.faces[face.index()].ascent
    }

    /// Advance width of `c` in em units (1.0 = font size), or an error naming the character
    /// when the face has no glyph for it (it would otherwise print as a blank box).
    pub fn advance(&mut self, face: Face, c: char) -> Result<f32, RenderError> {
        let m = &mut self.faces[face.index()];
        let adv = *m.cache.entry(c).or_insert_with(|| {
            if c.is_control() {
                return None;
            }
            let gid = m.font.lookup_glyph_index(c as u32).filter(|&g| g != 0)?;
            Some(f32::from(m.font.get_horizontal_advance(gid)) / m.units_per_em)
        });
        adv.ok_or(RenderError::MissingGlyph {
            ch: c,
            font: face.name(),
        })
    }

    /// Width of `text` at `size` points.
    pub fn width(&mut self, face: Face, text: &str, size: f32) -> Result<f32, RenderError> {
        let mut w = 0.0;
        for c in text.chars() {
            w += self.advance(face, c)?;
        }
        Ok(w * size)
    }

    /// Checks that every character of `text` has a glyph in `face`.
    #[cfg(test)]
    pub fn check(&mut self, face: Face, text: &str) -> Result<(), RenderError> {
        self.width(face, text, 1.0).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mono_advance_is_six_tenths_em() {
        let mut f = Fonts::load().unwrap();
        for c in ['0', 'f', 'W', ' ', '—', 'é'] {
            assert!(
                (f.advance(Face::Mono, c).unwrap() - 0.6).abs() < 1e-3,
                "{c}"
            );
        }
    }

    #[test]
    fn serif_widths_differ_by_glyph() {
        let mut f = Fonts::load().unwrap();
        let w_i = f.advance(Face::Serif, 'i').unwrap();
        let w_m = f.advance(Face::Serif, 'm').unwrap();
        assert!(w_m > 2.0 * w_i, "{w_i} {w_m}");
        assert!(f.advance(Face::SerifBold, 'a').unwrap() >= f.advance(Face::Serif, 'a').unwrap());
    }

    #[test]
    fn accents_and_legal_punctuation_are_covered() {
        let mut f = Fonts::load().unwrap();
        let s = "éèêàçñáíóúüÉÀÇÑ«»¿¡§—–’“”…°€✓";
        for face in Face::ALL {
            for c in s.chars() {
                if c == '✓' {
                    continue;
                }
                f.advance(face, c).unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }

    #[test]
    fn missing_glyph_is_an_error_naming_the_character() {
        let mut f = Fonts::load().unwrap();
        let err = f.check(Face::Serif, "ok 漢").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains('漢') && msg.contains("U+6F22"), "{msg}");
        assert!(f.check(Face::Mono, "\u{7}").is_err());
    }
}
