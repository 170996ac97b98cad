//! Which document a case's jurisdiction admits, and what each document needs from the expert
//! before it may be rendered: the one table of documents × jurisdictions. `scelle report`
//! checks a request against it before rendering anything, so that a document is never written
//! or recorded half-filled (a placeholder, a rule left blank, a US declaration in a French case).
//!
//! This module checks that required fields are *present*; whether the input's keys are known
//! and typed is checked where the input is parsed.

use super::{DocumentKind, ReportRequest};
use crate::error::{Error, Result};
use crate::format::body::CaseInfo;
use crate::format::lang::Jurisdiction;

/// Whether `kind` is a document of `jurisdiction`'s law, and if not, what to use instead.
///
/// - The expert report exists in every jurisdiction (FRCP 26(a)(2)(B); CPP art. 166;
///   LECrim art. 478 and LEC art. 335–336, UNE 197001).
/// - The certificate is the US certification of FRE 902(14) by a 28 U.S.C. § 1746 declaration:
///   a French or Spanish court has no use for it.
/// - The seals document is the French tableau of scellés placed, opened and re-made (CPP
///   art. 56, 97, 163): it follows French scellé law only.
/// - The custody record is the Spanish registro de cadena de custodia (LECrim art. 338,
///   UNE 71505 / ISO/IEC 27037): in a French case the seals document holds the same facts, in
///   a US case the certificate and the expert report's chain-of-custody section.
pub fn admitted(
    kind: DocumentKind,
    jurisdiction: Jurisdiction,
) -> std::result::Result<(), &'static str> {
    use DocumentKind as D;
    use Jurisdiction as J;
    match (kind, jurisdiction) {
        (D::ExpertReport, _) | (D::Certificate, J::Us) | (D::Seals, J::Fr) | (D::Custody, J::Es) => {
            Ok(())
        }
        (D::Certificate, J::Fr) | (D::Custody, J::Fr) => Err(
            "in a French case, render `expert-report` (rapport d'expertise, CPP art. 166) and `seals` (tableau de traçabilité des scellés, CPP art. 163)",
        ),
        (D::Certificate, J::Es) | (D::Seals, J::Es) => Err(
            "in a Spanish case, render `expert-report` (informe pericial) and `custody` (registro de cadena de custodia)",
        ),
        (D::Seals, J::Us) | (D::Custody, J::Us) => Err(
            "in a US case, render `expert-report` (FRCP 26(a)(2)(B)) and `certificate` (FRE 902(14))",
        ),
    }
}

/// One field a document needs: its place in the input file (`section.key`; `case.court` may
/// also come from the case) and the rule that asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Required {
    /// `section.key` in the report input (TOML).
    pub field: &'static str,
    /// Why the document needs it.
    pub rule: &'static str,
}

const fn r(field: &'static str, rule: &'static str) -> Required {
    Required { field, rule }
}

/// Every document: the court, the signer and where they sign.
const EVERY: &[Required] = &[
    r(
        "case.court",
        "the court or investigating authority named on the cover",
    ),
    r("expert.name", "the signer's name in the signature block"),
    r(
        "expert.place",
        "the place of signature (Executed at / Fait à / lugar)",
    ),
];

/// The expert report, in every jurisdiction.
const REPORT: &[Required] = &[
    r("expert.qualifications", "the expert's qualifications"),
    r("mission.text", "the assignment / mission"),
    r("sections.methodology", "the methods used"),
    r("sections.findings", "the findings"),
    r("sections.basis", "the basis and reasons for the opinions"),
    r("sections.opinions", "the opinions / conclusions"),
    r("sections.limitations", "the limitations / réserves"),
];

const REPORT_US: &[Required] = &[
    r("expert.compensation", "FRCP 26(a)(2)(B)(vi): compensation"),
    r(
        "expert.prior_testimony",
        "FRCP 26(a)(2)(B)(v): prior testimony in the previous 4 years",
    ),
    r(
        "expert.publications",
        "FRCP 26(a)(2)(B)(iv): publications authored in the previous 10 years (\"None\" if none)",
    ),
];

/// The French commission: the ordonnance, its date and the magistrate who made it.
const COMMISSION_FR: &[Required] = &[
    r(
        "mission.order",
        "CPP art. 156: the ordonnance de commission d'expert",
    ),
    r(
        "mission.order_date",
        "the date of the ordonnance (YYYY-MM-DD)",
    ),
    r(
        "mission.magistrate",
        "the juge d'instruction who ordered the expertise",
    ),
];

const REPORT_FR: &[Required] = &[r(
    "mission.questions",
    "CPP art. 158: the questions of the mission, answered in the conclusions",
)];

const REPORT_ES: &[Required] = &[
    r(
        "mission.order",
        "LECrim art. 456 and 459: the judicial decision appointing the perito",
    ),
    r(
        "expert.tachas",
        "LEC art. 343 and LECrim art. 468: the expert's declaration whether any cause of tacha applies",
    ),
];

/// The Spanish custody record is attested by the letrado de la Administración de Justicia.
const CUSTODY_ES: &[Required] = &[r(
    "signatories.officer",
    "LECrim art. 338: the letrado de la Administración de Justicia who attests the record",
)];

/// Optional fields printed as given, checked for placeholders when present.
const OPTIONAL_SIGNED: &[Required] = &[
    r(
        "expert.listed",
        "CPP art. 160: the list of an expert sworn at registration",
    ),
    r(
        "signatories.present",
        "a person present, who signs the record",
    ),
    r("signatories.officer", "the officer who attests the record"),
    r("signatories.officer_role", "the officer's capacity"),
];

/// CPP art. 160: an expert on no list swears each time and the record of that oath is dated;
/// an expert on a list (`expert.listed`) swore once, at registration.
const OATH_FR: Required = r(
    "expert.oath_date",
    "CPP art. 160: the date of the procès-verbal de prestation de serment (YYYY-MM-DD), or expert.listed for an expert on a court's list",
);

const CERTIFICATE_US: &[Required] = &[r(
    "expert.qualifications",
    "FRE 902(14): the certifying person's qualification",
)];

/// What `kind` needs in `jurisdiction` (an admitted pair), in the order it is checked.
pub fn required(kind: DocumentKind, jurisdiction: Jurisdiction) -> Vec<Required> {
    use DocumentKind as D;
    use Jurisdiction as J;
    let mut v = EVERY.to_vec();
    let extra: &[&[Required]] = match (kind, jurisdiction) {
        (D::ExpertReport, J::Us) => &[REPORT, REPORT_US],
        (D::ExpertReport, J::Fr) => &[REPORT, COMMISSION_FR, REPORT_FR],
        (D::ExpertReport, J::Es) => &[REPORT, REPORT_ES],
        (D::Certificate, _) => &[CERTIFICATE_US],
        (D::Seals, _) => &[COMMISSION_FR],
        (D::Custody, _) => &[CUSTODY_ES],
    };
    for list in extra {
        v.extend_from_slice(list);
    }
    v
}

/// Text that marks an unfinished input: the templates' placeholders in every language and the
/// "(demo)" markers of sample inputs.
const UNFINISHED: &[&str] = &[
    "[to be completed",
    "[à compléter",
    "[a completar",
    "(demo)",
    "(démonstration)",
    "(demostración)",
];

fn lookup<'a>(input: &'a toml::Value, field: &str) -> Option<&'a toml::Value> {
    field.split('.').try_fold(input, |v, k| v.get(k))
}

/// Whether a value counts as given: a non-blank string, a list of them (non-empty), any other
/// scalar.
fn given(v: &toml::Value) -> bool {
    match v {
        toml::Value::String(s) => !s.trim().is_empty(),
        toml::Value::Array(a) => !a.is_empty() && a.iter().all(given),
        toml::Value::Table(t) => !t.is_empty(),
        _ => true,
    }
}

fn unfinished(v: &toml::Value) -> bool {
    match v {
        toml::Value::String(s) => UNFINISHED.iter().any(|m| s.contains(m)),
        toml::Value::Array(a) => a.iter().any(unfinished),
        toml::Value::Table(t) => t.values().any(unfinished),
        _ => false,
    }
}

/// The jurisdiction a request's document follows: the case's, recorded when it was opened.
/// `--jurisdiction` may only choose one for a case that recorded none.
pub fn jurisdiction(case: &CaseInfo, req: &ReportRequest) -> Result<Jurisdiction> {
    let recorded = match &case.jurisdiction {
        Some(j) => Some(j.parse::<Jurisdiction>().map_err(|_| {
            Error::input(format!(
                "the case records jurisdiction {j:?}: choose {}",
                Jurisdiction::choices()
            ))
        })?),
        None => None,
    };
    match (req.jurisdiction, recorded) {
        (Some(asked), Some(case_j)) if asked != case_j => Err(Error::input(format!(
            "--jurisdiction {asked}: case {} is a {} case (recorded when it was opened); its documents follow {} law, in any --lang",
            case.case_id,
            name(case_j),
            name(case_j),
        ))),
        (Some(j), _) | (None, Some(j)) => Ok(j),
        (None, None) => Ok(Jurisdiction::Us),
    }
}

/// What a document is, in a refusal.
fn nature(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::ExpertReport => "the expert report",
        DocumentKind::Certificate => "the US certification under FRE 902(14) and 28 U.S.C. § 1746",
        DocumentKind::Seals => "the French record of scellés under CPP art. 163",
        DocumentKind::Custody => "the Spanish chain-of-custody record, LECrim art. 338",
    }
}

fn name(j: Jurisdiction) -> &'static str {
    match j {
        Jurisdiction::Us => "US",
        Jurisdiction::Fr => "French",
        Jurisdiction::Es => "Spanish",
    }
}

/// Checks a request before anything is rendered: the document is admitted in the case's
/// jurisdiction and every field it requires is given (in the input, or the court in the case),
/// none left as a placeholder. Returns the jurisdiction.
pub fn check(case: &CaseInfo, req: &ReportRequest) -> Result<Jurisdiction> {
    let j = jurisdiction(case, req)?;
    admitted(req.kind, j).map_err(|instead| {
        Error::input(format!(
            "{} ({}): not a document of a {} case ({} {}); {instead}",
            req.kind.name(),
            nature(req.kind),
            name(j),
            case.case_id,
            case.title,
        ))
    })?;
    let empty = toml::Value::Table(Default::default());
    let input = req.input.as_ref().unwrap_or(&empty);
    let mut missing = Vec::new();
    let mut placeholders = Vec::new();
    let mut fields = required(req.kind, j);
    let listed = lookup(input, "expert.listed").is_some_and(given);
    if j == Jurisdiction::Fr
        && matches!(req.kind, DocumentKind::ExpertReport | DocumentKind::Seals)
        && !listed
    {
        fields.push(OATH_FR);
    }
    if let Some(d) = lookup(input, "expert.oath_date").and_then(|v| v.as_str()) {
        if crate::format::time::parse_utc(&format!("{d}T00:00:00Z")).is_none() {
            return Err(Error::input(format!(
                "report input: expert.oath_date {d:?} is not a date: write it YYYY-MM-DD (the date of the procès-verbal de prestation de serment)"
            )));
        }
    }
    // Optional fields printed as given (a signature block, the list of a listed expert): never
    // a placeholder either.
    for field in OPTIONAL_SIGNED {
        let printed = super::input::key(field.field).is_some_and(|k| k.used_by(req.kind, j));
        if printed && lookup(input, field.field).is_some_and(unfinished) {
            placeholders.push(*field);
        }
    }
    for f in fields {
        let from_case =
            f.field == "case.court" && case.court.as_deref().is_some_and(|c| !c.trim().is_empty());
        match lookup(input, f.field) {
            Some(v) if unfinished(v) => placeholders.push(f),
            Some(v) if given(v) => {}
            _ if from_case => {}
            _ => missing.push(f),
        }
    }
    if let (Some(q), Some(a)) = (
        lookup(input, "mission.questions").and_then(|v| v.as_array()),
        lookup(input, "mission.answers").and_then(|v| v.as_array()),
    ) {
        if q.len() != a.len() {
            return Err(Error::input(format!(
                "report input: mission.questions has {} questions and mission.answers {} answers; answer each question, in order",
                q.len(),
                a.len()
            )));
        }
    }
    if missing.is_empty() && placeholders.is_empty() {
        return Ok(j);
    }
    let list = |v: &[Required]| {
        v.iter()
            .map(|f| format!("{} ({})", f.field, f.rule))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut msg = format!(
        "{} of a {} case ({}): ",
        req.kind.name(),
        name(j),
        case.case_id
    );
    if !missing.is_empty() {
        msg.push_str(&format!(
            "missing in the report input (--input FILE.toml): {}",
            list(&missing)
        ));
    }
    if !placeholders.is_empty() {
        if !missing.is_empty() {
            msg.push_str("; ");
        }
        msg.push_str(&format!(
            "still a placeholder or demo text: {}",
            list(&placeholders)
        ));
    }
    msg.push_str("; nothing was rendered or recorded");
    Err(Error::input(msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(j: &str, court: Option<&str>) -> CaseInfo {
        serde_json::from_value(serde_json::json!({
            "case_id": "2123/21/7", "title": "T", "court": court, "jurisdiction": j,
            "origin": "o", "created": "2021-01-01T00:00:00Z"
        }))
        .unwrap()
    }

    fn req(kind: DocumentKind, input: &str) -> ReportRequest {
        ReportRequest {
            kind,
            lang: crate::format::lang::Lang::En,
            jurisdiction: None,
            exhibits: Vec::new(),
            input: Some(input.parse().unwrap()),
            templates: Default::default(),
            correlate: Vec::new(),
        }
    }

    #[test]
    fn each_jurisdiction_admits_its_own_documents() {
        for j in Jurisdiction::ALL {
            let own: Vec<_> = DocumentKind::ALL
                .into_iter()
                .filter(|k| admitted(*k, j).is_ok())
                .collect();
            assert_eq!(own.len(), 2, "{j:?}");
            assert!(own.contains(&DocumentKind::ExpertReport));
        }
        assert!(admitted(DocumentKind::Certificate, Jurisdiction::Fr).is_err());
        assert!(admitted(DocumentKind::Seals, Jurisdiction::Fr).is_ok());
        assert!(admitted(DocumentKind::Custody, Jurisdiction::Es).is_ok());
    }

    #[test]
    fn missing_and_placeholder_fields_are_named() {
        let c = case("fr", Some("Tribunal judiciaire de Paris"));
        let e = check(
            &c,
            &req(
                DocumentKind::Seals,
                "[expert]\nname = \"A\"\nplace = \"[à compléter par l'expert]\"\n[mission]\norder = \"O\"",
            ),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("mission.order_date"), "{e}");
        assert!(e.contains("mission.magistrate"), "{e}");
        assert!(e.contains("placeholder or demo text: expert.place"), "{e}");
        assert!(e.contains("expert.oath_date (CPP art. 160"), "{e}");
        assert!(!e.contains("case.court"), "{e}");
        let ok = "[expert]\nname = \"A\"\nplace = \"Paris\"\noath_date = \"2021-07-28\"\n[mission]\norder = \"O\"\norder_date = \"2021-07-26\"\nmagistrate = \"M\"";
        assert_eq!(
            check(&c, &req(DocumentKind::Seals, ok)).unwrap(),
            Jurisdiction::Fr
        );
        let e = check(&case("fr", None), &req(DocumentKind::Seals, ok))
            .unwrap_err()
            .to_string();
        assert!(e.contains("case.court"), "{e}");
        let e = check(&c, &req(DocumentKind::Certificate, ok))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a document of a French case"), "{e}");
        assert!(e.contains("FRE 902(14)"), "{e}");
        let mut r = req(DocumentKind::Seals, ok);
        r.jurisdiction = Some(Jurisdiction::Us);
        assert!(check(&c, &r)
            .unwrap_err()
            .to_string()
            .contains("French case"));
    }

    /// The oath of CPP art. 160: an expert on no list gives the date of the record of the oath;
    /// an expert on a list (`expert.listed`) swore at registration and needs none; a date that
    /// is not YYYY-MM-DD is refused naming the field.
    #[test]
    fn a_french_expert_gives_the_oath_date_unless_listed() {
        let c = case("fr", Some("Tribunal judiciaire de Paris"));
        let base = "[expert]\nname = \"A\"\nplace = \"Paris\"\n{}\n[mission]\norder = \"O\"\norder_date = \"2021-07-26\"\nmagistrate = \"M\"";
        let with = |extra: &str| req(DocumentKind::Seals, &base.replace("{}", extra));
        let e = check(&c, &with("")).unwrap_err().to_string();
        assert!(e.contains("missing in the report input"), "{e}");
        assert!(e.contains("expert.oath_date"), "{e}");
        assert!(check(&c, &with("listed = \"liste de la cour d'appel de Paris\"")).is_ok());
        assert!(check(&c, &with("oath_date = \"2021-07-28\"")).is_ok());
        let e = check(&c, &with("oath_date = \"28/07/2021\""))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("expert.oath_date") && e.contains("YYYY-MM-DD"),
            "{e}"
        );
    }

    /// Each jurisdiction's declarations are required where its law asks for them: the US
    /// publications (FRCP 26(a)(2)(B)(iv)), the Spanish tachas (LEC 343) and the letrado who
    /// attests the Spanish custody record (LECrim 338).
    #[test]
    fn declarations_of_each_jurisdiction_are_required() {
        let full = "[expert]\nname = \"A\"\nplace = \"P\"\nqualifications = \"Q\"\ncompensation = \"C\"\nprior_testimony = \"T\"\n[mission]\norder = \"O\"\ntext = \"M\"\n[sections]\nmethodology = \"m\"\nfindings = \"f\"\nbasis = \"b\"\nopinions = \"o\"\nlimitations = \"l\"";
        let e = check(
            &case("us", Some("C")),
            &req(DocumentKind::ExpertReport, full),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("expert.publications (FRCP 26(a)(2)(B)(iv)"),
            "{e}"
        );
        assert!(!e.contains("expert.tachas"), "{e}");
        let e = check(
            &case("es", Some("C")),
            &req(DocumentKind::ExpertReport, full),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("expert.tachas (LEC art. 343"), "{e}");
        assert!(!e.contains("expert.publications"), "{e}");
        let e = check(&case("es", Some("C")), &req(DocumentKind::Custody, full))
            .unwrap_err()
            .to_string();
        assert!(e.contains("signatories.officer (LECrim art. 338"), "{e}");
        let attested = format!("{full}\n[signatories]\nofficer = \"L\"");
        assert!(check(
            &case("es", Some("C")),
            &req(DocumentKind::Custody, &attested)
        )
        .is_ok());
        let demo =
            format!("{full}\n[signatories]\nofficer = \"L\"\npresent = [\"P (demostración)\"]");
        let e = check(&case("es", Some("C")), &req(DocumentKind::Custody, &demo))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("placeholder or demo text: signatories.present"),
            "{e}"
        );
    }
}
