//! The templates compiled into the binary: `templates/params.toml`, and for every language
//! its `labels.toml`, `locale.toml` and one `.jinja` per document, generated from the lists of
//! languages ([`Lang`](crate::format::lang::Lang)) and documents
//! ([`DocumentKind`](crate::format::document::DocumentKind)).

use crate::format::document::for_each_document;
use crate::format::lang::for_each_lang;

/// `(path under templates/, text)` of `templates/<lang>/<file>`.
macro_rules! builtin_file {
    ($lang:literal, $file:literal) => {
        (
            concat!($lang, "/", $file),
            include_str!(concat!("../../templates/", $lang, "/", $file)),
        )
    };
}

/// The `.jinja` of every document in language `$lang` (called by `for_each_document!`).
macro_rules! builtin_documents {
    ({ $lang:literal } [ $( $(#[$m:meta])* $variant:ident = $doc:literal, )+ ]) => {
        &[$((
            concat!($lang, "/", $doc, ".jinja"),
            include_str!(concat!("../../templates/", $lang, "/", $doc, ".jinja")),
        )),+]
    };
}

/// `params.toml`, then every language's files (called by `for_each_lang!`).
macro_rules! builtin_languages {
    ({} [ $( $(#[$m:meta])* $variant:ident = $lang:literal, )+ ]) => {
        &[
            &[("params.toml", include_str!("../../templates/params.toml"))],
            $(
                &[builtin_file!($lang, "labels.toml"), builtin_file!($lang, "locale.toml")],
                for_each_document!(builtin_documents { $lang }),
            )+
        ]
    };
}

/// The compiled-in templates, by path under `templates/`: `params.toml`, and for every
/// language (`Lang`) its `labels.toml`, `locale.toml` and every document's (`DocumentKind`)
/// `.jinja`. A missing file is a compile error.
const BUILTIN: &[&[(&str, &str)]] = for_each_lang!(builtin_languages {});

/// The compiled-in text of `templates/<rel>`.
pub fn builtin(rel: &str) -> Option<&'static str> {
    BUILTIN
        .iter()
        .flat_map(|files| files.iter())
        .find(|(p, _)| *p == rel)
        .map(|(_, t)| *t)
}
