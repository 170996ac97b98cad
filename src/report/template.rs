//! Templates: minijinja text in `templates/<lang>/<document>.jinja`, with the language's
//! labels (`templates/<lang>/labels.toml`) and the jurisdictions' parameters
//! (`templates/params.toml`: article numbers, court formulas). The defaults are compiled in; a
//! user's folder of the same layout (`--templates DIR`) replaces any of them.

use super::builtin::builtin;
use crate::error::{Error, Result};
use crate::format::document::DocumentKind;
use crate::format::lang::Lang;
use minijinja::{Environment, UndefinedBehavior, Value};
use std::path::PathBuf;

/// Where templates come from.
#[derive(Debug, Clone, Default)]
pub struct TemplateSource {
    /// A user's folder overriding the built-in files it contains.
    pub dir: Option<PathBuf>,
}

impl TemplateSource {
    /// The text of `templates/<rel>`: the user's file if present, else the built-in one.
    pub fn read(&self, rel: &str) -> Result<String> {
        if let Some(dir) = &self.dir {
            let p = dir.join(rel);
            if p.is_file() {
                return std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e));
            }
        }
        builtin(rel)
            .map(str::to_string)
            .ok_or_else(|| Error::input(format!("no template {rel} (built in or in --templates)")))
    }

    /// A TOML file as a template value.
    pub fn toml(&self, rel: &str) -> Result<toml::Value> {
        let text = self.read(rel)?;
        text.parse::<toml::Value>()
            .map_err(|e| Error::input(format!("templates/{rel}: {e}")))
    }
}

fn parse_time(s: &str) -> Option<time::OffsetDateTime> {
    // A date alone (an order's date in the input, YYYY-MM-DD) reads as that day.
    crate::format::time::parse_rfc3339(s).or_else(|| {
        (s.len() == 10)
            .then(|| crate::format::time::parse_rfc3339(&format!("{s}T12:00:00Z")))
            .flatten()
    })
}

/// The template environment for one language and the case's time zone (`case.timezone`;
/// UTC when `None`), with its filters: `date` (long date; a time is first put in the case's
/// zone, so a document dated just after midnight UTC in Los Angeles gives the local day),
/// `datetime` (ISO 8601 date and time in the case's zone with its offset), `num` (digit
/// grouping).
pub fn environment(lang: Lang, timezone: Option<String>) -> Environment<'static> {
    let zone = crate::format::time::Zone::of(timezone.as_deref());
    let local = zone.clone();
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("date", move |v: String| -> String {
        // A date alone (YYYY-MM-DD, from the input) is that day, in no zone.
        let day_only = v.len() == 10;
        parse_time(&v)
            .map(|t| {
                let t = if day_only {
                    t
                } else {
                    t.to_offset(local.offset_at(t))
                };
                super::locale::long_date(t, lang)
            })
            .unwrap_or(v)
    });
    env.add_filter("datetime", move |v: String| -> String {
        parse_time(&v).map(|t| zone.stamp(t)).unwrap_or(v)
    });
    env.add_filter("num", move |v: u64| -> String {
        super::locale::number(v, lang)
    });
    env
}

/// Renders `templates/<lang>/<doc>.jinja` with `context`.
pub fn render(
    src: &TemplateSource,
    lang: Lang,
    doc: DocumentKind,
    context: Value,
) -> Result<String> {
    let rel = format!("{lang}/{doc}.jinja");
    let text = src.read(&rel)?;
    let timezone = context
        .get_attr("case")
        .and_then(|c| c.get_attr("timezone"))
        .ok()
        .and_then(|z| z.as_str().map(str::to_string));
    let env = environment(lang, timezone);
    env.render_str(&text, context)
        .map_err(|e| Error::input(format!("templates/{rel}: {e:#}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::lang::Jurisdiction;

    #[test]
    fn every_language_document_and_jurisdiction_is_compiled_in() {
        for lang in Lang::ALL {
            for file in ["labels.toml", "locale.toml"] {
                assert!(
                    builtin(&format!("{lang}/{file}")).is_some(),
                    "{lang}/{file}"
                );
            }
            for doc in DocumentKind::ALL {
                assert!(
                    builtin(&format!("{lang}/{doc}.jinja")).is_some(),
                    "{lang}/{doc}"
                );
            }
        }
        let params: toml::Value = builtin("params.toml").unwrap().parse().unwrap();
        for j in Jurisdiction::ALL {
            assert!(params.get(j.code()).is_some(), "params.toml has no [{j}]");
        }
    }
}
