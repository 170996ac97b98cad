//! The expert's input file (`scelle report DOCUMENT --input FILE.toml`): its one schema
//! ([`SCHEMA`]: every key the templates read, its type, the documents and jurisdictions that
//! use it, and what it is for in each language), the validation of a file against it (unknown
//! keys and wrong types are errors naming the key and the line), and the commented blank file
//! of `scelle report init-input`.
//!
//! A template that reads a new `input.` key needs its line in [`SCHEMA`] (a test checks it).

use crate::error::{Error, Result};
use crate::format::document::DocumentKind;
use crate::format::lang::{Jurisdiction, Lang};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt::{self, Write as _};
use toml::Spanned;

/// What a key's value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A table of the keys listed under it (`[expert]`).
    Table,
    /// A string.
    Text,
    /// A list of strings (`["…", "…"]`).
    TextList,
    /// A table of any keys, each a string (`[params]`: overrides of `templates/params.toml`).
    TextTable,
}

impl Kind {
    fn expected(self) -> &'static str {
        match self {
            Kind::Table => "a table",
            Kind::Text => "a string",
            Kind::TextList => "a list of strings",
            Kind::TextTable => "a table of strings",
        }
    }
}

/// One key of the input file.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// Its dotted path (`mission.questions`).
    pub path: &'static str,
    /// What its value must be.
    pub kind: Kind,
    /// The documents that read it (empty: every document).
    pub documents: &'static [DocumentKind],
    /// The jurisdictions whose sections read it (empty: every jurisdiction).
    pub jurisdictions: &'static [Jurisdiction],
    /// What it is for, in each language in the order of [`Lang::ALL`] (English, French,
    /// Spanish): the comments of `init-input`.
    pub doc: [&'static str; Lang::ALL.len()],
}

impl Key {
    /// Whether `document` under `jurisdiction` reads this key.
    pub fn used_by(&self, document: DocumentKind, jurisdiction: Jurisdiction) -> bool {
        (self.documents.is_empty() || self.documents.contains(&document))
            && (self.jurisdictions.is_empty() || self.jurisdictions.contains(&jurisdiction))
    }

    /// What it is for, in `lang`.
    pub fn doc(&self, lang: Lang) -> &'static str {
        self.doc[lang_index(lang)]
    }
}

/// The index of `lang` in [`Lang::ALL`], the order of every `doc` (a new language makes each
/// `doc` one string short: the compiler names them all).
fn lang_index(lang: Lang) -> usize {
    Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0)
}

const REPORT: &[DocumentKind] = &[DocumentKind::ExpertReport];
const REPORT_CERT: &[DocumentKind] = &[DocumentKind::ExpertReport, DocumentKind::Certificate];
const REPORT_SEALS: &[DocumentKind] = &[DocumentKind::ExpertReport, DocumentKind::Seals];
const CUSTODY_DOCS: &[DocumentKind] = &[DocumentKind::Seals, DocumentKind::Custody];
const ALL: &[DocumentKind] = &[];
const ANY: &[Jurisdiction] = &[];

/// The schema of the input file: every key the templates (`templates/*/*.jinja`, as
/// `input.…`) and the signature block read. A table's keys follow it.
pub const SCHEMA: &[Key] = &[
    Key {
        path: "expert",
        kind: Kind::Table,
        documents: ALL,
        jurisdictions: ANY,
        doc: [
            "The expert who makes and signs the document.",
            "L'expert qui établit et signe le document.",
            "El perito que emite y firma el documento.",
        ],
    },
    Key {
        path: "expert.name",
        kind: Kind::Text,
        documents: ALL,
        jurisdictions: ANY,
        doc: [
            "Full name, as it is signed (also the PDF's author).",
            "Prénom et nom, tels qu'ils sont signés (aussi l'auteur du PDF).",
            "Nombre y apellidos, tal como firma (también el autor del PDF).",
        ],
    },
    Key {
        path: "expert.title",
        kind: Kind::Text,
        documents: ALL,
        jurisdictions: ANY,
        doc: [
            "Title or capacity printed under the signature.",
            "Qualité imprimée sous la signature (ex. : expert près la cour d'appel de Paris).",
            "Cargo o condición que figura bajo la firma.",
        ],
    },
    Key {
        path: "expert.place",
        kind: Kind::Text,
        documents: ALL,
        jurisdictions: ANY,
        doc: [
            "Place where the document is signed (\"Executed at\").",
            "Lieu où le document est signé (« Fait à »).",
            "Lugar donde se firma el documento (« En … a »).",
        ],
    },
    Key {
        path: "expert.organisation",
        kind: Kind::Text,
        documents: REPORT,
        jurisdictions: ANY,
        doc: [
            "Firm or laboratory of the expert.",
            "Cabinet ou laboratoire de l'expert.",
            "Empresa o laboratorio del perito.",
        ],
    },
    Key {
        path: "expert.qualifications",
        kind: Kind::Text,
        documents: REPORT_CERT,
        jurisdictions: ANY,
        doc: [
            "Qualifications: training, experience, publications of the last 10 years.",
            "Qualification : formation, expérience, inscription sur une liste d'experts.",
            "Titulación y experiencia del perito.",
        ],
    },
    Key {
        path: "expert.compensation",
        kind: Kind::Text,
        documents: REPORT,
        jurisdictions: &[Jurisdiction::Us],
        doc: [
            "Compensation paid for the study and testimony (FRCP 26(a)(2)(B)(vi)).",
            "Rémunération de l'étude et du témoignage (FRCP 26(a)(2)(B)(vi), droit américain).",
            "Retribución del estudio y del testimonio (FRCP 26(a)(2)(B)(vi), derecho estadounidense).",
        ],
    },
    Key {
        path: "expert.prior_testimony",
        kind: Kind::Text,
        documents: REPORT,
        jurisdictions: &[Jurisdiction::Us],
        doc: [
            "Cases in which the expert testified in the previous 4 years (FRCP 26(a)(2)(B)(v)).",
            "Affaires où l'expert a témoigné au cours des 4 dernières années (FRCP 26(a)(2)(B)(v)).",
            "Asuntos en que el perito declaró en los 4 años anteriores (FRCP 26(a)(2)(B)(v)).",
        ],
    },
    Key {
        path: "expert.assisted_by",
        kind: Kind::TextList,
        documents: REPORT,
        jurisdictions: &[Jurisdiction::Fr],
        doc: [
            "Persons who assisted the expert, one string each (French CPP art. 166).",
            "Personnes qui ont assisté l'expert, une chaîne par personne (art. 166 du CPP).",
            "Personas que asistieron al perito, una cadena por persona (art. 166 del CPP francés).",
        ],
    },
    Key {
        path: "expert.publications",
        kind: Kind::Text,
        documents: REPORT,
        jurisdictions: &[Jurisdiction::Us],
        doc: [
            "Publications authored in the previous 10 years, or \"None\" (FRCP 26(a)(2)(B)(iv)).",
            "Publications des 10 dernières années, ou « Aucune » (FRCP 26(a)(2)(B)(iv), droit américain).",
            "Publicaciones de los 10 años anteriores, o «Ninguna» (FRCP 26(a)(2)(B)(iv), derecho estadounidense).",
        ],
    },
    Key {
        path: "expert.listed",
        kind: Kind::Text,
        documents: REPORT_SEALS,
        jurisdictions: &[Jurisdiction::Fr],
        doc: [
            "Only for an expert on a court's list (French CPP art. 160): the list, e.g. \"liste de la cour d'appel de Paris\"; the oath taken at registration replaces the oath's formula.",
            "Seulement pour un expert inscrit (art. 160 du CPP) : la liste, ex. « liste de la cour d'appel de Paris » ou « liste nationale de la Cour de cassation » ; le serment prêté lors de l'inscription remplace la formule.",
            "Solo para un perito inscrito en una lista (art. 160 del CPP francés): la lista, p. ej. «liste de la cour d'appel de Paris».",
        ],
    },
    Key {
        path: "expert.oath_date",
        kind: Kind::Text,
        documents: REPORT_SEALS,
        jurisdictions: &[Jurisdiction::Fr],
        doc: [
            "Date of the record of the oath (procès-verbal de prestation de serment, French CPP art. 160), YYYY-MM-DD; for a listed expert, the date of the oath at registration (optional).",
            "Date du procès-verbal de prestation de serment (art. 160 du CPP), AAAA-MM-JJ ; pour un expert inscrit, date du serment prêté lors de l'inscription (facultatif).",
            "Fecha del acta de juramento (procès-verbal de prestation de serment, art. 160 del CPP francés), AAAA-MM-DD.",
        ],
    },
    Key {
        path: "expert.tachas",
        kind: Kind::Text,
        documents: REPORT,
        jurisdictions: &[Jurisdiction::Es],
        doc: [
            "Spanish declaration of tachas (LEC art. 343, LECrim art. 468): whether any cause applies (kinship, interest, dependence, friendship or enmity, other), e.g. \"None applies.\"",
            "Déclaration espagnole de tachas (art. 343 LEC, art. 468 LECrim) : si une cause s'applique (parenté, intérêt, dépendance, amitié ou inimitié, autre).",
            "Declaración de tachas (art. 343 LEC, art. 468 LECrim): si concurre alguna causa (parentesco, interés, dependencia, amistad íntima o enemistad, otra), p. ej. «No concurre ninguna.»",
        ],
    },
    Key {
        path: "case",
        kind: Kind::Table,
        documents: ALL,
        jurisdictions: ANY,
        doc: [
            "The case, where the ledger does not say it.",
            "L'affaire, là où le registre ne le dit pas.",
            "La causa, donde el registro no lo dice.",
        ],
    },
    Key {
        path: "case.court",
        kind: Kind::Text,
        documents: ALL,
        jurisdictions: ANY,
        doc: [
            "The court, for a case opened without --court.",
            "La juridiction, pour une affaire ouverte sans --court.",
            "El órgano judicial, para una causa abierta sin --court.",
        ],
    },
    Key {
        path: "mission",
        kind: Kind::Table,
        documents: REPORT_SEALS,
        jurisdictions: ANY,
        doc: [
            "The assignment: who appointed the expert and what was asked.",
            "La mission : qui a commis l'expert et ce qui lui est demandé.",
            "El encargo: quién designó al perito y qué se le pide.",
        ],
    },
    Key {
        path: "mission.order",
        kind: Kind::Text,
        documents: REPORT_SEALS,
        jurisdictions: ANY,
        doc: [
            "The order or engagement that appoints the expert.",
            "L'ordonnance de commission d'expert.",
            "La resolución que designa al perito.",
        ],
    },
    Key {
        path: "mission.order_date",
        kind: Kind::Text,
        documents: REPORT_SEALS,
        jurisdictions: ANY,
        doc: [
            "The date of that order (YYYY-MM-DD).",
            "La date de l'ordonnance (AAAA-MM-JJ).",
            "La fecha de la resolución (AAAA-MM-DD).",
        ],
    },
    Key {
        path: "mission.magistrate",
        kind: Kind::Text,
        documents: REPORT_SEALS,
        jurisdictions: ANY,
        doc: [
            "The magistrate or judge who made the order.",
            "Le magistrat (juge d'instruction) qui a rendu l'ordonnance.",
            "El magistrado o juez que dictó la resolución.",
        ],
    },
    Key {
        path: "mission.text",
        kind: Kind::Text,
        documents: REPORT,
        jurisdictions: ANY,
        doc: [
            "The assignment, as worded in the order or engagement.",
            "La mission, dans les termes de l'ordonnance.",
            "El objeto de la pericia, en los términos de la resolución.",
        ],
    },
    Key {
        path: "mission.questions",
        kind: Kind::TextList,
        documents: REPORT,
        jurisdictions: ANY,
        doc: [
            "The questions put to the expert, one string each.",
            "Les questions posées à l'expert, une chaîne par question.",
            "Las preguntas planteadas al perito, una cadena por pregunta.",
        ],
    },
    Key {
        path: "mission.answers",
        kind: Kind::TextList,
        documents: REPORT,
        jurisdictions: ANY,
        doc: [
            "The answers, one string per question, in the same order.",
            "Les réponses, une chaîne par question, dans le même ordre.",
            "Las respuestas, una cadena por pregunta, en el mismo orden.",
        ],
    },
    Key {
        path: "sections",
        kind: Kind::Table,
        documents: REPORT,
        jurisdictions: ANY,
        doc: [
            "The narrative sections of the report.",
            "Les parties rédigées du rapport.",
            "Los apartados redactados del informe.",
        ],
    },
    Key {
        path: "sections.methodology",
        kind: Kind::Text,
        documents: REPORT,
        jurisdictions: ANY,
        doc: [
            "Methods and tools used, and how they were validated.",
            "Opérations, méthodes et outils employés, et leur validation.",
            "Metodología, herramientas empleadas y su validación.",
        ],
    },
    Key {
        path: "sections.findings",
        kind: Kind::Text,
        documents: REPORT,
        jurisdictions: ANY,
        doc: [
            "What the examination found.",
            "Les constatations.",
            "El análisis y sus resultados.",
        ],
    },
    Key {
        path: "sections.basis",
        kind: Kind::Text,
        documents: REPORT,
        jurisdictions: ANY,
        doc: [
            "The basis and reasons for the opinions.",
            "La discussion : ce qui fonde les conclusions.",
            "Las consideraciones técnicas en que se basan las conclusiones.",
        ],
    },
    Key {
        path: "sections.opinions",
        kind: Kind::Text,
        documents: REPORT,
        jurisdictions: ANY,
        doc: [
            "The opinions (conclusions) the expert will express.",
            "Les conclusions de l'expert.",
            "Las conclusiones del perito.",
        ],
    },
    Key {
        path: "sections.limitations",
        kind: Kind::Text,
        documents: REPORT,
        jurisdictions: ANY,
        doc: [
            "Limits of the examination: what could not be done or concluded.",
            "Réserves : ce qui n'a pu être fait ou conclu.",
            "Limitaciones: lo que no pudo hacerse o concluirse.",
        ],
    },
    Key {
        path: "signatories",
        kind: Kind::Table,
        documents: CUSTODY_DOCS,
        jurisdictions: ANY,
        doc: [
            "Who signs the seals or custody record besides the expert.",
            "Qui signe le tableau des scellés ou le registre de possession, outre l'expert.",
            "Quién firma el registro de precintos o de custodia, además del perito.",
        ],
    },
    Key {
        path: "signatories.present",
        kind: Kind::TextList,
        documents: CUSTODY_DOCS,
        jurisdictions: ANY,
        doc: [
            "Persons present, one string each (\"Full Name, capacity\"); each gets a signature block.",
            "Personnes présentes, une chaîne par personne (« Prénom Nom, qualité ») ; chacune a son bloc de signature.",
            "Personas presentes, una cadena por persona («Nombre Apellidos, condición»); cada una tiene su bloque de firma.",
        ],
    },
    Key {
        path: "signatories.officer",
        kind: Kind::Text,
        documents: CUSTODY_DOCS,
        jurisdictions: ANY,
        doc: [
            "The officer who attests the record: in France the judicial police officer or court clerk (OPJ / greffier); in Spain the letrado de la Administración de Justicia (LECrim art. 338), required.",
            "L'officier qui atteste le procès-verbal : l'officier de police judiciaire ou le greffier ; en Espagne le letrado de la Administración de Justicia (obligatoire).",
            "Quien da fe del registro: en España el letrado de la Administración de Justicia (art. 338 LECrim), obligatorio; en Francia el OPJ o el greffier.",
        ],
    },
    Key {
        path: "signatories.officer_role",
        kind: Kind::Text,
        documents: CUSTODY_DOCS,
        jurisdictions: ANY,
        doc: [
            "The officer's capacity, if not the default of the jurisdiction.",
            "La qualité de l'officier, si ce n'est pas celle par défaut (ex. : greffier).",
            "La condición de quien da fe, si no es la de la jurisdicción por defecto.",
        ],
    },
    Key {
        path: "params",
        kind: Kind::TextTable,
        documents: ALL,
        jurisdictions: ANY,
        doc: [
            "Optional: overrides of the jurisdiction's articles and formulas (templates/params.toml).",
            "Facultatif : remplace les articles et formules de la juridiction (templates/params.toml).",
            "Opcional: sustituye los artículos y fórmulas de la jurisdicción (templates/params.toml).",
        ],
    },
];

/// The schema's line for `path`.
pub fn key(path: &str) -> Option<&'static Key> {
    SCHEMA.iter().find(|k| k.path == path)
}

/// A parsed TOML value with the byte range of each value (for the line of an error).
#[derive(Debug)]
enum Node {
    Text,
    Integer,
    Float,
    Boolean,
    Date,
    List(Vec<Spanned<Node>>),
    Table(Vec<(String, Spanned<Node>)>),
}

impl Node {
    fn found(&self) -> &'static str {
        match self {
            Node::Text => "a string",
            Node::Integer => "an integer",
            Node::Float => "a number",
            Node::Boolean => "a boolean",
            Node::Date => "a date",
            Node::List(_) => "a list",
            Node::Table(_) => "a table",
        }
    }
}

/// The key under which toml hands a datetime to a visitor (toml's own convention).
const TOML_DATETIME: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a TOML value")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<Node, E> {
                Ok(Node::Text)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Node, E> {
                Ok(Node::Integer)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Node, E> {
                Ok(Node::Integer)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Node, E> {
                Ok(Node::Float)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Node, E> {
                Ok(Node::Boolean)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> std::result::Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(x) = a.next_element::<Spanned<Node>>()? {
                    items.push(x);
                }
                Ok(Node::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> std::result::Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(k) = a.next_key::<String>()? {
                    if k == TOML_DATETIME {
                        a.next_value::<de::IgnoredAny>()?;
                        return Ok(Node::Date);
                    }
                    entries.push((k, a.next_value::<Spanned<Node>>()?));
                }
                Ok(Node::Table(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses and validates the expert's input (`report --input FILE`) against [`SCHEMA`];
/// `origin` names the file in messages (`FILE:LINE: key "x": …`). Every problem is listed.
pub fn parse(text: &str, origin: &str) -> Result<toml::Value> {
    let root: Node = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| format!("{}:", line_of(text, s.start)));
        Error::input(format!(
            "{origin}:{} {} (not valid TOML)",
            line.unwrap_or_default(),
            e.message().trim_end()
        ))
    })?;
    let mut problems = Vec::new();
    if let Node::Table(entries) = &root {
        check_table(entries, "", Kind::Table, text, origin, &mut problems);
    }
    if !problems.is_empty() {
        return Err(Error::input(problems.join("\n")));
    }
    text.parse::<toml::Value>()
        .map_err(|e| Error::input(format!("{origin}: {e}")))
}

fn check_table(
    entries: &[(String, Spanned<Node>)],
    prefix: &str,
    kind: Kind,
    text: &str,
    origin: &str,
    problems: &mut Vec<String>,
) {
    for (k, v) in entries {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let at = format!("{origin}:{}", line_of(text, v.span().start));
        let expected = if kind == Kind::TextTable {
            let known = known_params();
            if !known.contains(k) {
                problems.push(format!("{at}: {}", unknown_param(&path, k, &known)));
                continue;
            }
            Kind::Text
        } else if let Some(key) = key(&path) {
            key.kind
        } else {
            problems.push(format!("{at}: {}", unknown(&path, prefix)));
            continue;
        };
        check_value(v, &path, expected, &at, text, origin, problems);
    }
}

fn check_value(
    v: &Spanned<Node>,
    path: &str,
    expected: Kind,
    at: &str,
    text: &str,
    origin: &str,
    problems: &mut Vec<String>,
) {
    let wrong = |found: &str| {
        format!(
            "{at}: key \"{path}\": expected {}, found {found}",
            expected.expected()
        )
    };
    match (expected, v.get_ref()) {
        (Kind::Text, Node::Text) => {}
        (Kind::Table | Kind::TextTable, Node::Table(entries)) => {
            check_table(entries, path, expected, text, origin, problems)
        }
        (Kind::TextList, Node::List(items)) => {
            for (i, x) in items.iter().enumerate() {
                if !matches!(x.get_ref(), Node::Text) {
                    let at = format!("{origin}:{}", line_of(text, x.span().start));
                    problems.push(format!(
                        "{at}: key \"{path}\": expected a list of strings, found {} as item {}",
                        x.get_ref().found(),
                        i + 1
                    ));
                }
            }
        }
        (Kind::TextList, Node::Text) => problems.push(format!(
            "{}; write [\"…\"] (one string per item)",
            wrong("a string")
        )),
        (_, n) => problems.push(wrong(n.found())),
    }
}

/// The message for an unknown key: the closest known key, else the known ones at that level.
fn unknown(path: &str, prefix: &str) -> String {
    let siblings: Vec<&str> = SCHEMA
        .iter()
        .map(|k| k.path)
        .filter(|p| match p.rsplit_once('.') {
            Some((parent, _)) => parent == prefix,
            None => prefix.is_empty(),
        })
        .collect();
    match closest(path, siblings.iter().copied()) {
        Some(s) => {
            format!("key \"{path}\" is not a key of the report input; did you mean \"{s}\"?")
        }
        None => format!(
            "key \"{path}\" is not a key of the report input (known here: {})",
            siblings.join(", ")
        ),
    }
}

/// The parameters an input's `[params]` may override: the keys of every jurisdiction's table
/// in the built-in `templates/params.toml` (a folder of templates adding a parameter sets it
/// in its own `params.toml`).
fn known_params() -> Vec<String> {
    let all = super::builtin::builtin("params.toml")
        .and_then(|t| t.parse::<toml::Table>().ok())
        .unwrap_or_default();
    let mut keys: Vec<String> = all
        .values()
        .filter_map(toml::Value::as_table)
        .flat_map(|t| t.keys().cloned())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn unknown_param(path: &str, name: &str, known: &[String]) -> String {
    match closest(name, known.iter().map(String::as_str)) {
        Some(s) => format!(
            "key \"{path}\" is not a parameter of templates/params.toml; did you mean \"params.{s}\"?"
        ),
        None => format!(
            "key \"{path}\" is not a parameter of templates/params.toml (known: {})",
            known.join(", ")
        ),
    }
}

/// The candidate closest to `word` for a "did you mean": within a Levenshtein distance of 2,
/// or a quarter of the candidate's length if longer; the nearest, then the first in order.
fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|s| (strsim::levenshtein(s, word), s))
        .filter(|(d, s)| *d <= 2.max(s.len() / 4))
        .min()
        .map(|(_, s)| s)
}

/// The words of the blank file's header, in each language.
const HEADER: [[&str; Lang::ALL.len()]; 3] = [
    [
        "Input of the expert for the {doc} ({jur} jurisdiction). Fill in each value between the quotes;\n# a value left blank prints as a blank to complete. A long text may span several lines\n# between triple quotes: \"\"\"…\"\"\"; a list holds one quoted string per item: [\"…\", \"…\"].",
        "Données de l'expert pour le document {doc} (juridiction {jur}). Complétez chaque valeur entre\n# les guillemets ; une valeur laissée vide est imprimée comme un blanc à compléter. Un texte long\n# peut s'étendre sur plusieurs lignes entre triples guillemets : \"\"\"…\"\"\" ; une liste contient\n# une chaîne entre guillemets par élément : [\"…\", \"…\"].",
        "Datos del perito para el documento {doc} (jurisdicción {jur}). Complete cada valor entre las\n# comillas; un valor vacío se imprime como un blanco por completar. Un texto largo puede ocupar\n# varias líneas entre comillas triples: \"\"\"…\"\"\"; una lista contiene una cadena entre comillas\n# por elemento: [\"…\", \"…\"].",
    ],
    [
        "Then:",
        "Puis :",
        "Después:",
    ],
    [
        "To change an article or a formula of the jurisdiction, uncomment it:",
        "Pour changer un article ou une formule de la juridiction, décommentez-le :",
        "Para cambiar un artículo o una fórmula de la jurisdicción, quite el comentario:",
    ],
];

/// The commented blank input file of `document` under `jurisdiction`, comments in `lang`:
/// every key the document reads, blank; `params` (the jurisdiction's parameters, from
/// `templates/params.toml`) commented out.
pub fn blank(
    document: DocumentKind,
    lang: Lang,
    jurisdiction: Jurisdiction,
    params: &toml::Value,
) -> String {
    let l = lang_index(lang);
    let mut out = String::new();
    let header = HEADER[0][l]
        .replace("{doc}", document.name())
        .replace("{jur}", jurisdiction.code());
    let _ = writeln!(out, "# {header}");
    let _ = writeln!(
        out,
        "# {} scelle report {} --lang {} --jurisdiction {} --input FILE.toml --out FILE.pdf",
        HEADER[1][l],
        document.name(),
        lang.code(),
        jurisdiction.code()
    );
    for table in SCHEMA.iter().filter(|k| !k.path.contains('.')) {
        if !table.used_by(document, jurisdiction) {
            continue;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "# {}", table.doc(lang));
        match table.kind {
            Kind::TextTable => {
                let _ = writeln!(out, "# {}", HEADER[2][l]);
                let _ = writeln!(out, "# [{}]", table.path);
                if let Some(toml::Value::Table(t)) = params.get(jurisdiction.code()) {
                    for (k, v) in t {
                        let _ = writeln!(out, "# {k} = {v}");
                    }
                }
            }
            _ => {
                let _ = writeln!(out, "[{}]", table.path);
                let prefix = format!("{}.", table.path);
                for k in SCHEMA
                    .iter()
                    .filter(|k| k.path.starts_with(&prefix) && k.used_by(document, jurisdiction))
                {
                    let name = &k.path[prefix.len()..];
                    let blank = if k.kind == Kind::TextList {
                        "[]"
                    } else {
                        "\"\""
                    };
                    let _ = writeln!(out, "# {}", k.doc(lang));
                    let _ = writeln!(out, "{name} = {blank}");
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match parse(text, "in.toml") {
            Err(Error::Input(m)) => m,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn a_string_where_a_list_is_expected_names_key_and_line() {
        let m = err("[expert]\nname = \"A\"\n\n[mission]\nquestions = \"Was it compromised?\"\n");
        assert!(
            m.starts_with(
                "in.toml:5: key \"mission.questions\": expected a list of strings, found a string"
            ),
            "{m}"
        );
    }

    #[test]
    fn unknown_keys_are_named_with_a_suggestion() {
        let m = err("[mission]\nquestons = []\n[expertt]\n");
        assert!(m.contains("in.toml:2: key \"mission.questons\" is not a key of the report input; did you mean \"mission.questions\"?"), "{m}");
        assert!(m.contains("in.toml:3: key \"expertt\""), "{m}");
        assert!(m.contains("did you mean \"expert\"?"), "{m}");
        let m = err("zzz = 1\n");
        assert!(
            m.contains("known here: expert, case, mission, sections, signatories, params"),
            "{m}"
        );
    }

    #[test]
    fn wrong_nested_types_are_named() {
        let m = err("[mission]\nanswers = [\"yes\", 2]\n[sections]\nfindings = { a = 1 }\n[params]\ncode = 3\n");
        assert!(m.contains("in.toml:2: key \"mission.answers\": expected a list of strings, found an integer as item 2"), "{m}");
        assert!(
            m.contains("in.toml:4: key \"sections.findings\": expected a string, found a table"),
            "{m}"
        );
        assert!(
            m.contains("in.toml:6: key \"params.code\": expected a string, found an integer"),
            "{m}"
        );
        let m = err("expert = \"Jane\"\n");
        assert!(
            m.contains("in.toml:1: key \"expert\": expected a table, found a string"),
            "{m}"
        );
        let m = err("[expert]\nname = 1979-05-27\n");
        assert!(
            m.contains("in.toml:2: key \"expert.name\": expected a string, found a date"),
            "{m}"
        );
    }

    #[test]
    fn the_demo_inputs_validate() {
        for (name, text) in [
            (
                "report-en.toml",
                include_str!("../../examples/demo/report-en.toml"),
            ),
            (
                "report-fr.toml",
                include_str!("../../examples/demo/report-fr.toml"),
            ),
            (
                "report-es.toml",
                include_str!("../../examples/demo/report-es.toml"),
            ),
        ] {
            let v = parse(text, name).unwrap_or_else(|e| panic!("{e}"));
            assert!(v.get("mission").and_then(|m| m.get("questions")).is_some());
        }
    }

    #[test]
    fn params_are_those_of_params_toml() {
        let m = err("[params]\nreprot_article = \"166\"\nzzz = \"1\"\n");
        assert!(m.contains("in.toml:2: key \"params.reprot_article\" is not a parameter of templates/params.toml; did you mean \"params.report_article\"?"), "{m}");
        assert!(
            m.contains("in.toml:3: key \"params.zzz\" is not a parameter"),
            "{m}"
        );
        assert!(m.contains("oath_formula"), "{m}");
        let all: toml::Value = super::super::builtin::builtin("params.toml")
            .unwrap()
            .parse()
            .unwrap();
        for (_, t) in all.as_table().unwrap() {
            for (k, v) in t.as_table().unwrap() {
                let text = format!("[params]\n{k} = {v}\n");
                parse(&text, "in.toml").unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }

    #[test]
    fn invalid_toml_names_the_line() {
        let m = err("[expert]\nname = \"unterminated\n");
        assert!(m.starts_with("in.toml:2: "), "{m}");
    }

    #[test]
    fn every_table_key_has_its_table_and_three_languages() {
        for k in SCHEMA {
            if let Some((parent, _)) = k.path.rsplit_once('.') {
                assert_eq!(key(parent).map(|p| p.kind), Some(Kind::Table), "{}", k.path);
            }
            assert!(k.doc.iter().all(|d| !d.is_empty()), "{}", k.path);
        }
    }

    /// Every `input.` key a built-in template reads (directly, or through
    /// `{% set x = input.table or {} %}` and then `x.key`) is in the schema.
    #[test]
    fn the_schema_covers_every_key_the_templates_read() {
        let mut read = std::collections::BTreeSet::new();
        for lang in Lang::ALL {
            for doc in DocumentKind::ALL {
                let rel = format!("{}/{}.jinja", lang.code(), doc.name());
                let text = super::super::builtin::builtin(&rel).unwrap();
                let mut aliases = Vec::new();
                for (i, _) in text.match_indices("input.") {
                    let path: String = text[i + 6..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                        .collect();
                    let before = &text[..i];
                    if let Some(set) = before.rfind("{% set ") {
                        let stmt = &before[set + 7..];
                        if let Some((alias, rest)) = stmt.split_once(" = ") {
                            if rest.is_empty() && !alias.contains(' ') {
                                aliases.push((alias.to_string(), path.clone()));
                            }
                        }
                    }
                    read.insert(path);
                }
                for (alias, table) in aliases {
                    let pat = format!("{alias}.");
                    for (i, _) in text.match_indices(&pat) {
                        let prev = text[..i].chars().last().unwrap_or(' ');
                        if prev.is_alphanumeric() || prev == '_' || prev == '.' {
                            continue;
                        }
                        let name: String = text[i + pat.len()..]
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        read.insert(format!("{table}.{name}"));
                    }
                }
            }
        }
        assert!(read.contains("mission.questions"), "{read:?}");
        for p in &read {
            assert!(
                key(p).is_some(),
                "templates read input.{p}, which is not in SCHEMA"
            );
        }
    }

    #[test]
    fn the_blank_file_parses_and_validates_for_every_document() {
        let params: toml::Value = super::super::builtin::builtin("params.toml")
            .unwrap()
            .parse()
            .unwrap();
        for lang in Lang::ALL {
            for doc in DocumentKind::ALL {
                for j in Jurisdiction::ALL {
                    let b = blank(doc, lang, j, &params);
                    parse(&b, "blank.toml").unwrap_or_else(|e| panic!("{b}\n{e}"));
                }
            }
        }
    }
}
