//! `answerbank columns`: what the reader finds in a questionnaire, so a user can check it (and override it)
//! before drafting.

use std::io::Write;

use anyhow::Result;
use serde_json::{Value, json};

use super::ExitStatus;
use crate::cli::ColumnsArgs;
use answerbank::cell::column_name;
use answerbank::questionnaire::{QuestionRow, SheetResult, read_questionnaire};
use answerbank::text::{printable, snippet};

pub fn run(args: ColumnsArgs) -> Result<ExitStatus> {
    let questionnaire = read_questionnaire(&args.file, &super::read_options(&args.reader))?;
    super::print_reading_warnings(&questionnaire);
    let mut out = std::io::stdout().lock();
    if args.json {
        let sheets: Vec<Value> = questionnaire
            .sheets
            .iter()
            .map(|s| sheet_json(s, args.rows))
            .collect();
        let report = json!({
            "file": questionnaire.path.display().to_string(),
            "format": questionnaire.format,
            "sheets": sheets,
        });
        super::print_json(&report)?;
    } else {
        for sheet in &questionnaire.sheets {
            write_sheet(&mut out, sheet, args.rows)?;
        }
    }
    let total = questionnaire.questions().count();
    let answered = questionnaire
        .questions()
        .filter(|q| q.is_answered())
        .count();
    say!(
        "{}: {total} questions on {} of {} sheets, {answered} already answered",
        questionnaire.path.display(),
        questionnaire
            .sheets
            .iter()
            .filter(|s| s.layout().is_some())
            .count(),
        questionnaire.sheets.len()
    );
    Ok(ExitStatus::Success)
}

fn sheet_json(sheet: &SheetResult, with_rows: bool) -> Value {
    let mut value = json!({
        "name": sheet.name,
        "hidden": sheet.hidden,
        "protected": sheet.protected,
    });
    let object = value.as_object_mut().expect("object");
    match &sheet.outcome {
        Ok(layout) => {
            object.insert(
                "header_row".into(),
                json!(layout.header_rows.first().map(|r| r + 1)),
            );
            object.insert(
                "header_rows".into(),
                json!(layout.header_rows.iter().map(|r| r + 1).collect::<Vec<_>>()),
            );
            object.insert(
                "question_column".into(),
                json!(column_name(layout.question_col)),
            );
            object.insert("id_column".into(), json!(layout.id_col.map(column_name)));
            object.insert(
                "context_column".into(),
                json!(layout.context_col.map(column_name)),
            );
            let answers: Vec<Value> = layout
                .answer_columns
                .iter()
                .map(|a| {
                    json!({
                        "column": column_name(a.col),
                        "kind": a.kind.as_str(),
                        "allowed_values": a.allowed_values,
                        "header": a.header,
                    })
                })
                .collect();
            object.insert("answer_columns".into(), json!(answers));
            object.insert("questions".into(), json!(layout.questions.len()));
            object.insert(
                "answered".into(),
                json!(layout.questions.iter().filter(|q| q.is_answered()).count()),
            );
            object.insert("formula_rows".into(), json!(layout.formula_rows));
            object.insert("skipped_reason".into(), Value::Null);
            if with_rows {
                object.insert(
                    "rows".into(),
                    json!(layout.questions.iter().map(row_json).collect::<Vec<_>>()),
                );
            }
        }
        Err(reason) => {
            object.insert("header_row".into(), Value::Null);
            object.insert("question_column".into(), Value::Null);
            object.insert("id_column".into(), Value::Null);
            object.insert("answer_columns".into(), json!([]));
            object.insert("questions".into(), json!(0));
            object.insert("answered".into(), json!(0));
            object.insert("skipped_reason".into(), json!(reason));
        }
    }
    value
}

fn row_json(row: &QuestionRow) -> Value {
    json!({
        "sheet": row.sheet,
        "row": row.row + 1,
        "id": row.id,
        "question": row.question,
        "section": row.section,
        "answer_cells": row.answer_cells,
    })
}

fn write_sheet(out: &mut impl Write, sheet: &SheetResult, with_rows: bool) -> Result<()> {
    let name = printable(&sheet.name);
    let layout = match &sheet.outcome {
        Ok(layout) => layout,
        Err(reason) => {
            writeln!(out, "{name}: skipped: {reason}")?;
            return Ok(());
        }
    };
    let header = match layout.header_rows.as_slice() {
        [] => "no header row".to_string(),
        [one] => format!("header row {}", one + 1),
        [first, .., last] => format!("header rows {}-{}", first + 1, last + 1),
    };
    let ids = layout
        .id_col
        .map_or(String::new(), |c| format!(", IDs in {}", column_name(c)));
    let answers: Vec<String> = layout
        .answer_columns
        .iter()
        .map(|a| {
            let values = a
                .allowed_values
                .as_ref()
                .map_or(String::new(), |v| format!(" [{}]", v.join(", ")));
            format!(
                "{} {}{}",
                column_name(a.col),
                a.kind.as_str(),
                printable(&values)
            )
        })
        .collect();
    let answered = layout.questions.iter().filter(|q| q.is_answered()).count();
    let mut flags = Vec::new();
    if sheet.protected {
        flags.push("protected".to_string());
    }
    if layout.formula_rows > 0 {
        flags.push(format!(
            "{} rows with formula answers left alone",
            layout.formula_rows
        ));
    }
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!(" ({})", flags.join("; "))
    };
    writeln!(
        out,
        "{name}: {header}, questions in {}{ids}; answers: {}; {} questions, {answered} already answered{flags}",
        column_name(layout.question_col),
        answers.join(", "),
        layout.questions.len(),
    )?;
    if with_rows {
        for row in &layout.questions {
            let cells: Vec<String> = row
                .answer_cells
                .iter()
                .map(|c| {
                    if c.is_filled() {
                        format!("{}={}", c.cell, snippet(&c.current, 20))
                    } else {
                        c.cell.to_string()
                    }
                })
                .collect();
            writeln!(
                out,
                "  {:>5} {:<12} {}  → {}",
                row.row + 1,
                printable(row.id.as_deref().unwrap_or("")),
                snippet(&row.question, 80),
                cells.join(" ")
            )?;
        }
    }
    Ok(())
}
