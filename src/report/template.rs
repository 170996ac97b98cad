//! Templates: minijinja text in `templates/<lang>/<document>.jinja`, with the language's
//! labels (`templates/<lang>/labels.toml`) and the jurisdictions' parameters
//! (`templates/params.toml`: article numbers, court formulas). The defaults are compiled in; a
//! user's folder of the same layout (`--templates DIR`) replaces any of them.

use crate::error::{Error, Result};
use minijinja::{Environment, UndefinedBehavior, Value};
use std::path::{Path, PathBuf};

macro_rules! builtin {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../templates/", $path)))),*]
    };
}

/// The compiled-in templates, by path under `templates/`.
const BUILTIN: &[(&str, &str)] = builtin!(
    "params.toml",
    "en/labels.toml",
    "fr/labels.toml",
    "es/labels.toml",
    "en/expert-report.jinja",
    "fr/expert-report.jinja",
    "es/expert-report.jinja",
    "en/certificate.jinja",
    "fr/certificate.jinja",
    "es/certificate.jinja",
    "en/seals.jinja",
    "fr/seals.jinja",
    "es/seals.jinja",
    "en/custody.jinja",
    "fr/custody.jinja",
    "es/custody.jinja",
);

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
        BUILTIN
            .iter()
            .find(|(p, _)| *p == rel)
            .map(|(_, t)| t.to_string())
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
    crate::format::time::parse_rfc3339(s)
}

/// The template environment for one language, with its filters:
/// `date` (long date), `datetime` (short date and time, UTC), `num` (digit grouping).
pub fn environment(lang: &str) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    let l = lang.to_string();
    env.add_filter("date", move |v: String| -> String {
        parse_time(&v)
            .map(|t| super::locale::long_date(t, &l))
            .unwrap_or(v)
    });
    let l = lang.to_string();
    env.add_filter("datetime", move |v: String| -> String {
        parse_time(&v)
            .map(|t| super::locale::short_datetime(t, &l))
            .unwrap_or(v)
    });
    let l = lang.to_string();
    env.add_filter("num", move |v: u64| -> String {
        super::locale::number(v, &l)
    });
    env
}

/// Renders `templates/<lang>/<doc>.jinja` with `context`.
pub fn render(src: &TemplateSource, lang: &str, doc: &str, context: Value) -> Result<String> {
    let rel = format!("{lang}/{doc}.jinja");
    let text = src.read(&rel)?;
    let env = environment(lang);
    env.render_str(&text, context)
        .map_err(|e| Error::input(format!("templates/{rel}: {e:#}")))
}

/// The path a user would edit for `rel`.
pub fn user_path(dir: &Path, rel: &str) -> PathBuf {
    dir.join(rel)
}
