//! #26: a sheet's own input messages are part of its layout. "This cell should be left blank. Input your answer in
//! column C." moves the answer; "Editing this cell can break the tool" keeps answerbank out of the cell.

use rust_xlsxwriter::{DataValidation, Workbook};

use crate::util::*;

const LEAVE_BLANK: &str = "This cell should be left blank. Input your answer in column C.";

/// A questionnaire whose comments cells carry instructions, as the HECVAT's do (our own wording and questions).
fn questionnaire(path: &std::path::Path) {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Vendor").unwrap();
    for (col, text) in ["ID", "Question", "Answer", "Comments"].iter().enumerate() {
        sheet.write(0, col as u16, *text).unwrap();
    }
    let rows = [
        ("V-01", "Company legal name"),
        ("V-02", "Do you encrypt customer data at rest?"),
        ("V-03", "Describe your incident response process."),
        (
            "V-04",
            "Do you support single sign-on for customer accounts?",
        ),
    ];
    for (i, (id, question)) in rows.iter().enumerate() {
        sheet.write(i as u32 + 1, 0, *id).unwrap();
        sheet.write(i as u32 + 1, 1, *question).unwrap();
    }
    let yes_no = DataValidation::new()
        .allow_list_strings(&["Yes", "No"])
        .unwrap();
    sheet.add_data_validation(2, 2, 2, 2, &yes_no).unwrap();
    sheet.add_data_validation(4, 2, 4, 2, &yes_no).unwrap();
    let blank = DataValidation::new()
        .allow_any_value()
        .set_input_message(LEAVE_BLANK)
        .unwrap();
    sheet.add_data_validation(1, 3, 1, 3, &blank).unwrap();
    sheet.add_data_validation(3, 3, 3, 3, &blank).unwrap();
    let formulas = DataValidation::new()
        .allow_any_value()
        .set_input_title("Warning!")
        .unwrap()
        .set_input_message(
            "This workbook is built on formulas. Editing this cell can break the tool.",
        )
        .unwrap();
    sheet.add_data_validation(4, 3, 4, 3, &formulas).unwrap();
    workbook.save(path).unwrap();
}

#[test]
fn answers_go_where_the_sheets_input_messages_say() {
    let sandbox = Sandbox::new();
    questionnaire(&sandbox.path("vendor.xlsx"));
    for (file, question, short, body) in [
        (
            "legal-name",
            "Company legal name",
            None,
            "Acme Analytics Ltd.",
        ),
        (
            "encryption",
            "Do you encrypt customer data at rest?",
            Some("Yes"),
            "Yes. All customer data is encrypted at rest with AES-256.",
        ),
        (
            "incidents",
            "Describe your incident response process.",
            None,
            "A written plan with severity levels, tested twice a year.",
        ),
        (
            "sso",
            "Do you support single sign-on for customer accounts?",
            Some("Yes"),
            "Yes. SAML 2.0 on the Business plan.",
        ),
    ] {
        let extra = short
            .map(|s| format!("short_answer = {s:?}\n"))
            .unwrap_or_default();
        sandbox.write(&format!("lib/{file}.md"), &entry(question, &extra, body));
    }
    sandbox
        .run(&["draft", "vendor.xlsx", "--library", "lib", "--no-model"])
        .expect_code(0);
    let values = read_values(&sandbox.path("vendor.drafted.xlsx"), "Vendor");
    let cell = |c: &str| values.get(c).map(String::as_str).unwrap_or("");
    // "Leave blank, answer in column C": the whole answer in C, nothing in D.
    assert_eq!((cell("C2"), cell("D2")), ("Acme Analytics Ltd.", ""));
    assert_eq!(
        (cell("C4"), cell("D4")),
        (
            "A written plan with severity levels, tested twice a year.",
            ""
        )
    );
    // No instruction: Yes/No in C, the answer in D, as before.
    assert_eq!(
        (cell("C3"), cell("D3")),
        (
            "Yes",
            "Yes. All customer data is encrypted at rest with AES-256."
        )
    );
    // "Editing this cell can break the tool": left alone; the Yes/No still goes into C.
    assert_eq!((cell("C5"), cell("D5")), ("Yes", ""));
}
