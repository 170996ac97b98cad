//! The languages documents are written in and the jurisdictions whose rules they follow, as
//! recorded in `case.json` (entry 0) and `report` entries: lower-case codes.
//!
//! Adding a language: one line in `for_each_lang!` (below) and a folder `templates/<code>/`
//! (its `labels.toml`, `locale.toml` and one `.jinja` per document); the compiler points at
//! anything else (the compiled-in templates are generated from this list).

use super::codes::code_enum;

/// Passes the list of languages to `$callback`, after the tokens `$head`:
/// `$callback! { $head [ /// doc  Variant = "code", ... ] }`. The one list of languages.
macro_rules! for_each_lang {
    ($callback:ident $head:tt) => {
        $callback! { $head [
            /// English (`en`).
            En = "en",
            /// French (`fr`).
            Fr = "fr",
            /// Spanish (`es`).
            Es = "es",
        ] }
    };
}
pub(crate) use for_each_lang;

for_each_lang!(code_enum {
    /// A language of documents: `en`, `fr` or `es`. Its words, dates and numbers are in
    /// `templates/<code>/`.
    pub enum Lang, "a language"
});

code_enum! {
    {
        /// A jurisdiction whose sections and formulas a document follows (`templates/params.toml`).
        pub enum Jurisdiction, "a jurisdiction"
    }
    [
        /// The United States (`us`).
        Us = "us",
        /// France (`fr`).
        Fr = "fr",
        /// Spain (`es`).
        Es = "es",
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_recorded_ones() {
        assert_eq!(Lang::CODES, ["en", "fr", "es"]);
        assert_eq!(Jurisdiction::CODES, ["us", "fr", "es"]);
        assert_eq!("fr".parse::<Lang>(), Ok(Lang::Fr));
        assert!("de".parse::<Lang>().is_err());
        assert!("EN".parse::<Lang>().is_err());
        assert_eq!(serde_json::to_string(&Jurisdiction::Us).unwrap(), "\"us\"");
    }
}
