//! What a sheet's own input messages ask of whoever fills a cell in (see #26).
//!
//! In: the text of an input message (a data validation's prompt, shown when the cell is selected). Out: an
//! [`Instruction`] for the layout: leave the cell alone, or put the answer in another column of the same row. The
//! HECVAT says "This cell should be left blank. Input your answer in column C." on the comment cells of rows whose
//! answer is free text, and "Editing this cell can break the functionality of the tool." on cells its formulas
//! own; a person never types there, so answerbank never writes there either.
//!
//! The wording is matched as a kind of sentence (leave blank, do not edit, answer elsewhere), not as one sheet's
//! text: an instruction that names a column moves the answer, any other instruction only keeps answerbank out.

use std::sync::LazyLock;

use regex::Regex;

/// What an input message asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instruction {
    /// Leave this cell as it is (blank, or owned by the sheet's formulas).
    LeaveAlone,
    /// Leave this cell blank and put the answer in this column (0-based) of the same row.
    AnswerIn(u32),
}

/// "leave (this cell) blank", "should be left blank", "keep ... empty", "do not enter / type / edit / change",
/// "editing this cell can break", "changes cannot be made", "does not need to be re-entered", "read-only".
static LEAVE_ALONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        \b(leave|left|keep|kept|remain)\b [^.;]{0,40}? \b(blank|empty)\b
        | \b(do\ not|don't|never|please\ do\ not)\s+(enter|type|input|write|fill|edit|change|modify|alter|overwrite|delete)\b
        | \b(editing|changing|modifying|overwriting)\s+(this|these|the)\s+cells?\b
        | \b(changes|edits|entries)\s+(cannot|can't|may\ not|must\ not|should\ not)\s+be\s+made\b
        | \b(cannot|can't|must\ not|should\ not)\s+be\s+(edited|changed|modified)\b
        | \bdoes\ not\ need\ to\ be\ (re-?)?entered\b
        | \b(read-only|locked\ cell)\b",
    )
    .expect("valid regex")
});

/// "input your answer in column C", "enter the response in column D", "answer in column C".
static ANSWER_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        \b(input|enter|type|put|provide|place|record|write|give|answer)\b [^.;]{0,30}? \bin\s+column\s+([A-Z]{1,3})\b",
    )
    .expect("valid regex")
});

/// Reads an input message; `None` when it asks nothing of the answer (guidance, a list's purpose).
pub fn read(message: &str) -> Option<Instruction> {
    let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(column) = ANSWER_IN
        .captures(&message)
        .and_then(|c| crate::cell::parse_column(&c[2].to_ascii_uppercase()))
    {
        return Some(Instruction::AnswerIn(column));
    }
    // "Leave blank if not applicable" is guidance about the answer, not about the cell.
    let conditional = |end: usize| {
        let rest = message[end..].trim_start().to_lowercase();
        ["if ", "unless ", "when ", "where ", "for "]
            .iter()
            .any(|w| rest.starts_with(w))
    };
    LEAVE_ALONE
        .find_iter(&message)
        .any(|m| !conditional(m.end()))
        .then_some(Instruction::LeaveAlone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_that_keep_answerbank_out_or_move_the_answer() {
        for (message, expected) in [
            (
                "This cell should be left blank. Input your answer in column C.",
                Some(Instruction::AnswerIn(2)),
            ),
            (
                "Please leave this blank and enter your response in column e",
                Some(Instruction::AnswerIn(4)),
            ),
            (
                "Warning!: The HECVAT is built using a number of complex formulas. Editing this cell can break \
                 the functionality of the tool.",
                Some(Instruction::LeaveAlone),
            ),
            (
                "Changes cannot be made in this sheet. Please make changes in the appropriate \"Evaluation\" tab.",
                Some(Instruction::LeaveAlone),
            ),
            (
                "This answer has been populated from the \"START HERE\" tab and does not need to be re-entered.",
                Some(Instruction::LeaveAlone),
            ),
            (
                "Do not type in this column; it is for the reviewer.",
                Some(Instruction::LeaveAlone),
            ),
            ("Keep this cell empty.", Some(Instruction::LeaveAlone)),
            ("Leave blank if not applicable.", None),
            // Guidance about the answer itself asks nothing of where it goes.
            ("Select Yes, No or N/A from the list.", None),
            ("Describe how data is encrypted at rest.", None),
            ("If No, explain in the comments column.", None),
            ("Enter a date (YYYY-MM-DD).", None),
        ] {
            assert_eq!(read(message), expected, "{message}");
        }
    }
}
