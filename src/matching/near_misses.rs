//! The trust regression suite (see #14): questions that are almost, but not quite, a library entry's wording must
//! never be drafted at high confidence, and true rewordings must still find their entry first.
//!
//! Every pair was written by hand for this suite (none comes from a benchmark file). The library below is a
//! small vendor's; each near-miss changes one thing that changes the answer: a concept (prevention/detection),
//! a number (7/30 days), a qualifier (critical, external, privileged), a population (contractors/employees), or
//! the polarity (without, NOT). Run without a model always, and with one when `ANSWERBANK_TEST_MODEL` names it.

use super::*;
use crate::library::index::LibraryIndex;

/// (id, short answer, question, body).
const LIBRARY: &[(&str, &str, &str, &str)] = &[
    (
        "ids",
        "Yes",
        "Do you use a network intrusion detection system?",
        "Yes. Network traffic is monitored by an IDS that alerts the on-call engineer.",
    ),
    (
        "bcp",
        "Yes",
        "Do you have a documented business continuity plan?",
        "Yes. The plan covers loss of office, staff and suppliers.",
    ),
    (
        "antivirus",
        "Yes",
        "Is antivirus software installed on all endpoints?",
        "Yes. Every laptop runs managed antivirus.",
    ),
    (
        "security-training",
        "Yes",
        "Do all employees complete security awareness training annually?",
        "Yes. Every employee completes it at hiring and every year.",
    ),
    (
        "soc2-type2",
        "Yes",
        "Do you have a SOC 2 Type II report?",
        "Yes. Our latest SOC 2 Type II report is available under NDA.",
    ),
    (
        "patching",
        "Yes",
        "Are security patches applied within 30 days of release?",
        "Yes. Patches are applied within 30 days.",
    ),
    (
        "mfa-admins",
        "Yes",
        "Is MFA required for administrator accounts?",
        "Yes. Every administrator account requires a hardware key.",
    ),
    (
        "encryption-at-rest",
        "Yes",
        "Is customer data encrypted at rest?",
        "Yes. AES-256 on every database and backup.",
    ),
    (
        "tls",
        "Yes",
        "Do you enforce TLS 1.2 or higher for data in transit?",
        "Yes. Older protocol versions are refused.",
    ),
    (
        "key-rotation",
        "Yes",
        "Are encryption keys rotated annually?",
        "Yes. Keys are rotated every year by the key management service.",
    ),
    (
        "log-retention",
        "Yes",
        "Are audit logs retained for at least one year?",
        "Yes. Audit logs are kept for 13 months.",
    ),
    (
        "access-reviews",
        "Yes",
        "Are user access rights reviewed quarterly?",
        "Yes. Managers review every user's access each quarter.",
    ),
    (
        "pentest",
        "Yes",
        "Do you conduct an external penetration test annually?",
        "Yes. An outside firm tests the application every year.",
    ),
    (
        "vuln-scans",
        "Yes",
        "Do you perform internal vulnerability scans monthly?",
        "Yes. Internal hosts are scanned every month.",
    ),
    (
        "background-checks",
        "Yes",
        "Do you perform background checks on all employees?",
        "Yes. Every employee is screened before their start date.",
    ),
    (
        "vendor-risk",
        "Yes",
        "Do you perform risk assessments of your vendors?",
        "Yes. Every vendor with access to customer data is assessed before onboarding and yearly.",
    ),
    (
        "risk-assessment",
        "Yes",
        "Do you perform an annual risk assessment?",
        "Yes. The security team runs a company-wide risk assessment every year.",
    ),
    (
        "dpa",
        "Yes",
        "Do you offer a data processing agreement?",
        "Yes. Our standard DPA is available on request.",
    ),
    (
        "subprocessor-notice",
        "Yes",
        "Do you notify customers before adding a new subprocessor?",
        "Yes. Customers are notified 30 days in advance.",
    ),
    (
        "gdpr",
        "Yes",
        "Are you compliant with GDPR?",
        "Yes. We act as a processor under GDPR.",
    ),
    (
        "deletion",
        "Yes",
        "Is customer data deleted within 30 days of contract termination?",
        "Yes. Data is deleted within 30 days after the contract ends.",
    ),
    (
        "backup-encryption",
        "Yes",
        "Are backups encrypted?",
        "Yes. Backups are encrypted with AES-256.",
    ),
    (
        "restore-tests",
        "Yes",
        "Are backup restores tested annually?",
        "Yes. A full restore is tested every year.",
    ),
    (
        "breach-notice",
        "Yes",
        "Do you notify customers of a security breach within 72 hours?",
        "Yes. Affected customers are told within 72 hours.",
    ),
    (
        "ir-tests",
        "Yes",
        "Is the incident response plan tested annually?",
        "Yes. A tabletop exercise every year.",
    ),
    (
        "ai-training",
        "No",
        "Is customer data used to train your AI models?",
        "No. Customer data is never used to train models.",
    ),
    (
        "ai-opt-out",
        "Yes",
        "Can customers disable AI features?",
        "Yes. An administrator can turn AI features off for the whole account.",
    ),
    (
        "iso-42001",
        "No",
        "Are you certified to ISO/IEC 42001?",
        "No. We are not certified; our AI governance is aligned with it.",
    ),
    (
        "iso-27001",
        "Yes",
        "Are you ISO 27001 certified?",
        "Yes. Certificate available on request.",
    ),
    (
        "sso-saml",
        "Yes",
        "Do you support SSO with SAML?",
        "Yes. SAML 2.0 with any identity provider.",
    ),
    (
        "password-length",
        "Yes",
        "Do passwords require at least 12 characters?",
        "Yes. The minimum length is 12.",
    ),
    (
        "guards",
        "Yes",
        "Are data centers protected by 24/7 security guards?",
        "Yes. Our cloud provider's data centers are guarded around the clock.",
    ),
    (
        "code-review",
        "Yes",
        "Is all code peer reviewed before deployment to production?",
        "Yes. Every change needs an approving review.",
    ),
    (
        "prod-data",
        "Yes",
        "Is production data prohibited in development environments?",
        "Yes. Development uses generated data only.",
    ),
    (
        "cyber-insurance",
        "Yes",
        "Do you carry cyber insurance coverage of at least $5 million?",
        "Yes. Our policy covers $5 million.",
    ),
    (
        "disruptions",
        "No",
        "Have you had an unplanned disruption in the past 12 months?",
        "No. There was no unplanned disruption in the past 12 months.",
    ),
    (
        "institution-involvement",
        "No",
        "Is institution involvement required to complete updates?",
        "No. Updates are applied by us without any work on your side.",
    ),
    (
        "human-review",
        "Yes",
        "Is there human review of AI outputs before they reach customers?",
        "Yes. A person approves every AI-generated answer.",
    ),
    (
        "mdm",
        "Yes",
        "Are company laptops managed with MDM?",
        "Yes. Every company laptop is enrolled in device management.",
    ),
    (
        "employee-ndas",
        "Yes",
        "Do employees sign confidentiality agreements?",
        "Yes. At hiring, as part of the employment contract.",
    ),
    (
        "dr-tests",
        "Yes",
        "Is the disaster recovery plan tested annually?",
        "Yes. Failover to the second region is tested every year.",
    ),
];

/// Questions that differ from an entry's wording in something that changes the answer: never high.
const NEAR_MISSES: &[&str] = &[
    // access control
    "Is MFA required for all user accounts?",
    "Are privileged access rights reviewed quarterly?",
    "Do passwords require at least 8 characters?",
    "Do you support SSO with OIDC?",
    // encryption
    "Is customer data encrypted in transit?",
    "Do you enforce TLS 1.3 for data in transit?",
    "Are encryption keys rotated quarterly?",
    "Are backups immutable?",
    // logging and monitoring
    "Do you use a network intrusion prevention system?",
    "Are audit logs retained for at least 90 days?",
    // vulnerability management
    "Are critical security patches applied within 7 days of release?",
    "Are security patches applied within 30 days of detection?",
    "Do you conduct an internal penetration test annually?",
    "Do you perform external vulnerability scans monthly?",
    "Is EDR software installed on all endpoints?",
    // continuity
    "Do you have a documented disaster recovery plan?",
    "Is the business continuity plan tested annually?",
    "Is the disaster recovery plan tested quarterly?",
    "Are backup restores tested quarterly?",
    "Have you operated without unplanned disruptions in the past 12 months?",
    // compliance
    "Do you have a SOC 2 Type I report?",
    "Are you ISO 27701 certified?",
    "Do you plan to certify to ISO/IEC 42001?",
    "Are you compliant with CCPA?",
    "Do you carry cyber insurance coverage of at least $1 million?",
    // privacy
    "Is customer data deleted within 90 days of contract termination?",
    "Do you notify customers after adding a new subprocessor?",
    "Do you offer a business associate agreement?",
    "Do you notify customers of a security breach within 24 hours?",
    // vendors
    "Do you perform an annual vendor risk assessment?",
    "Do you perform risk assessments of your AI systems?",
    "Can updates be completed without institution involvement?",
    // HR
    "Do all employees complete privacy awareness training annually?",
    "Do you perform background checks on all contractors?",
    "Do contractors sign confidentiality agreements?",
    "Are personal mobile phones managed with MDM?",
    // physical and development
    "Are offices protected by 24/7 security guards?",
    "Is production data used in development environments?",
    "Is all infrastructure code peer reviewed before deployment to production?",
    // AI
    "Is customer data used to train third-party AI models?",
    "Can individual users disable AI features?",
    "Is there human review of AI training data?",
    "Do you NOT use customer data to train AI models?",
    "Is the incident response plan for AI incidents tested annually?",
];

/// True rewordings that share most of their words with the entry: first, with or without a model.
const PARAPHRASES: &[(&str, &str)] = &[
    ("Is network intrusion detection in place?", "ids"),
    ("Is there a documented BCP?", "bcp"),
    (
        "Are all endpoints protected by anti-virus software?",
        "antivirus",
    ),
    (
        "Is security awareness training completed by all staff every year?",
        "security-training",
    ),
    ("Can you share your SOC 2 Type 2 report?", "soc2-type2"),
    (
        "Is multi-factor authentication enforced for administrator accounts?",
        "mfa-admins",
    ),
    (
        "Do you encrypt customer data at rest?",
        "encryption-at-rest",
    ),
    ("How often are encryption keys rotated?", "key-rotation"),
    (
        "Do you review user access rights every quarter?",
        "access-reviews",
    ),
    (
        "Are pre-employment background screenings performed for all staff?",
        "background-checks",
    ),
    ("Do you have a DPA available?", "dpa"),
    (
        "Will we be notified before you add a new sub-processor?",
        "subprocessor-notice",
    ),
    (
        "Do you comply with the General Data Protection Regulation?",
        "gdpr",
    ),
    ("Are customer backups encrypted?", "backup-encryption"),
    (
        "Do you use customer data to train AI models?",
        "ai-training",
    ),
    ("Do you hold ISO/IEC 42001 certification?", "iso-42001"),
    ("Do you support SAML single sign-on?", "sso-saml"),
    ("Is the DR plan tested every year?", "dr-tests"),
];

/// Rewordings in other words, which only a sentence-embedding model can be expected to find.
const MODEL_PARAPHRASES: &[(&str, &str)] = &[
    (
        "Can we turn off the artificial intelligence functionality?",
        "ai-opt-out",
    ),
    (
        "How quickly will you tell us about a data breach?",
        "breach-notice",
    ),
    (
        "Do you vet new hires before they join?",
        "background-checks",
    ),
];

fn library() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (id, short, question, body) in LIBRARY {
        let text = format!(
            "+++\nquestion = {question:?}\nshort_answer = {short:?}\nstatus = \"approved\"\n+++\n{body}\n"
        );
        std::fs::write(dir.path().join(format!("{id}.md")), text).unwrap();
    }
    dir
}

fn check(matcher: &Matcher<'_>, with_model: bool) {
    let mut wrong = Vec::new();
    for question in NEAR_MISSES {
        let result = matcher
            .match_question(question, &QuestionContext::default(), 3)
            .unwrap();
        if result.confidence == Confidence::High {
            wrong.push(format!(
                "{question} → {} at high ({})",
                result.best().map_or("-", |c| c.id()),
                result.reason
            ));
        }
    }
    // As one questionnaire too: near misses asked together must not teach each other a rename (see `vocabulary`).
    let context = QuestionContext::default();
    let asked: Vec<(&str, &QuestionContext)> = NEAR_MISSES.iter().map(|q| (*q, &context)).collect();
    for (question, result) in NEAR_MISSES
        .iter()
        .zip(matcher.match_all(&asked, 3, &|| {}).unwrap())
    {
        if result.confidence == Confidence::High {
            wrong.push(format!(
                "{question} → {} at high in one questionnaire ({})",
                result.best().map_or("-", |c| c.id()),
                result.reason
            ));
        }
    }
    let paraphrases = PARAPHRASES
        .iter()
        .chain(if with_model { MODEL_PARAPHRASES } else { &[] });
    for (question, expected) in paraphrases {
        let result = matcher
            .match_question(question, &QuestionContext::default(), 3)
            .unwrap();
        let top = result.best().map_or("-", |c| c.id());
        if top != *expected {
            wrong.push(format!("{question} → {top}, expected {expected}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} pairs wrong (model: {with_model}):\n{}",
        wrong.len(),
        NEAR_MISSES.len() + PARAPHRASES.len(),
        wrong.join("\n")
    );
}

#[test]
fn near_misses_are_never_high_and_rewordings_rank_first() {
    assert!(NEAR_MISSES.len() >= 40);
    let dir = library();
    let index = LibraryIndex::open(dir.path()).unwrap();
    // Every entry's own wording is still exact re-use, and high.
    let matcher = Matcher::new(&index);
    for (id, _, question, _) in LIBRARY {
        let result = matcher
            .match_question(question, &QuestionContext::default(), 3)
            .unwrap();
        assert_eq!(result.best().unwrap().id(), *id);
        assert_eq!(result.confidence, Confidence::High, "{question}");
    }
    check(&matcher, false);
}

#[cfg(feature = "semantic")]
#[test]
fn near_misses_with_the_model() {
    let Some(model) = std::env::var_os("ANSWERBANK_TEST_MODEL") else {
        // Visible in the test output; CI sets the variable (and ANSWERBANK_REQUIRE_MODEL makes its absence fail).
        assert!(
            std::env::var_os("ANSWERBANK_REQUIRE_MODEL").is_none(),
            "ANSWERBANK_REQUIRE_MODEL is set but ANSWERBANK_TEST_MODEL is not"
        );
        eprintln!("skipped: near_misses_with_the_model needs ANSWERBANK_TEST_MODEL");
        return;
    };
    let dir = library();
    let index = LibraryIndex::open(dir.path()).unwrap();
    let semantic =
        crate::matching::semantic::SemanticIndex::open(&index, std::path::Path::new(&model))
            .unwrap();
    let matcher = Matcher::new(&index).with_semantic(Some(&semantic));
    check(&matcher, true);
}
