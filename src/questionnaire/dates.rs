//! When a questionnaire was answered, as the file itself says: a date field near the top of a sheet ("Date",
//! "Date Completed"), or else the workbook's last-modified date in its document properties
//! (`docProps/core.xml`, `dcterms:modified`).
//!
//! In: a sheet's [`Grid`] (rows above its header), or the checked package. Out: an [`AnswerDate`] with where it
//! was found, for `import`, which dates imported entries by it so that `check` flags old answers as stale (see
//! #17: an answer given in 2022 is not reviewed today). A date later than today is not believed.

use quick_xml::events::Event;

use super::grid::Grid;
use crate::cell::CellRef;
use crate::date::Date;
use crate::ooxml::local_name;
use crate::ooxml::package::Package;

/// A date the file gives for its answers, and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerDate {
    pub date: Date,
    /// In words: "sheet 'General', cell C3", "the workbook's document properties (last modified)".
    pub from: String,
}

/// Labels of a date field, lowercased, without a trailing `:`.
const DATE_LABELS: &[&str] = &[
    "date",
    "date completed",
    "completion date",
    "date of completion",
    "completed on",
    "date submitted",
    "submission date",
    "submitted on",
    "date of submission",
    "response date",
    "date of response",
    "assessment date",
    "date of assessment",
    "date prepared",
    "prepared on",
    "date answered",
    "last updated",
];
/// Rows searched for a date field when the sheet has no header to stop at.
const TOP_ROWS: u32 = 40;
/// How far right of its label a date field's value may be.
const VALUE_COLUMNS: u32 = 4;

/// The first date field of a sheet, above `header` (its first header row) or in its first rows: a cell labelled
/// "Date" (or "Date Completed", ...) with a date in a cell to its right or right below it.
pub fn date_field(sheet: &str, grid: &Grid, header: Option<u32>) -> Option<AnswerDate> {
    let limit = header.unwrap_or(TOP_ROWS).min(TOP_ROWS);
    for row in grid.row_numbers().take_while(|&r| r < limit) {
        let cells = grid.row_cells(row);
        for (i, (col, cell)) in cells.iter().enumerate() {
            let label = crate::text::one_line(&cell.text.to_lowercase());
            if !DATE_LABELS.contains(&label.trim_end_matches([':', '*']).trim()) {
                continue;
            }
            let right = cells[i + 1..]
                .iter()
                .take_while(|(c, _)| c - col <= VALUE_COLUMNS)
                .map(|(c, value)| (CellRef::new(row, *c), value.text.as_str()));
            let below = std::iter::once((
                CellRef::new(row + 1, *col),
                grid.text(CellRef::new(row + 1, *col)),
            ));
            if let Some((at, date)) = right
                .chain(below)
                .find_map(|(at, text)| parse_date(text).map(|d| (at, d)))
                .filter(|(_, d)| believable(*d))
            {
                return Some(AnswerDate {
                    date,
                    from: format!("sheet '{sheet}', cell {at}"),
                });
            }
        }
    }
    None
}

/// The workbook's last-modified date from its document properties, when it has one.
pub fn document_modified(package: &Package) -> Option<AnswerDate> {
    let part = "docProps/core.xml";
    let bytes = package.read_part(part).ok()?;
    let mut reader = quick_xml::Reader::from_reader(bytes.as_slice());
    let mut buf = Vec::new();
    let mut in_modified = false;
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            // Entities are never expanded; a part that declares any is not read.
            Event::DocType(_) | Event::Eof => return None,
            Event::Start(e) => in_modified = local_name(e.name().as_ref()) == "modified",
            Event::End(_) => in_modified = false,
            Event::Text(text) if in_modified => {
                let text = text.xml10_content();
                let date = parse_date(&text).filter(|d| believable(*d))?;
                return Some(AnswerDate {
                    date,
                    from: "the workbook's document properties (last modified)".to_string(),
                });
            }
            _ => {}
        }
        buf.clear();
    }
}

/// Not in the future, and not before spreadsheets held questionnaires.
fn believable(date: Date) -> bool {
    date <= Date::today() && date.ymd().0 >= 1990
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A date as cells and properties write it: ISO (`2022-08-30`, with or without a time, as the reader gives date
/// cells), `2022/08/30`, `30.08.2022`, day and month by slash when one of them is over 12 (`30/08/2022`,
/// `08/30/2022`), and with the month's name (`30 August 2022`, `August 30, 2022`). Ambiguous forms such as
/// `03/04/2022` are not guessed.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    // Runs of digits or of letters: "30T18" is two parts.
    let mut numbers: Vec<&str> = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let class = if c.is_ascii_digit() {
            1
        } else if c.is_alphabetic() {
            2
        } else {
            0
        };
        if let Some((from, kind)) = start
            && kind != class
        {
            numbers.push(&text[from..i]);
            start = None;
        }
        if start.is_none() && class != 0 {
            start = Some((i, class));
        }
    }
    numbers.truncate(3);
    if numbers.len() < 3 {
        return None;
    }
    let number = |s: &str| s.parse::<u32>().ok();
    let month_name = |s: &str| {
        let s = s.to_lowercase();
        (s.len() >= 3)
            .then(|| MONTHS.iter().position(|m| s.starts_with(m)))
            .flatten()
            .map(|i| i as u32 + 1)
    };
    let year = |s: &str| (s.len() == 4).then(|| s.parse::<i32>().ok()).flatten();
    let separator = text.chars().find(|c| !c.is_ascii_alphanumeric());
    match (numbers[0], numbers[1], numbers[2]) {
        (y, m, d) if year(y).is_some() => Date::new(year(y)?, number(m)?, number(d)?),
        (d, m, y) if month_name(m).is_some() => Date::new(year(y)?, month_name(m)?, number(d)?),
        (m, d, y) if month_name(m).is_some() => Date::new(year(y)?, month_name(m)?, number(d)?),
        (d, m, y) if separator == Some('.') => Date::new(year(y)?, number(m)?, number(d)?),
        (a, b, y) => {
            let (a, b, y) = (number(a)?, number(b)?, year(y)?);
            match (a > 12, b > 12) {
                (true, false) => Date::new(y, b, a),
                (false, true) => Date::new(y, a, b),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_usual_forms() {
        let d = |y, m, d| Date::new(y, m, d);
        assert_eq!(parse_date("2022-08-30"), d(2022, 8, 30));
        assert_eq!(parse_date("2022-08-30T18:52:13Z"), d(2022, 8, 30));
        assert_eq!(parse_date("30.08.2022"), d(2022, 8, 30));
        assert_eq!(parse_date("30/08/2022"), d(2022, 8, 30));
        assert_eq!(parse_date("08/30/2022"), d(2022, 8, 30));
        assert_eq!(parse_date("30 August 2022"), d(2022, 8, 30));
        assert_eq!(parse_date("Aug 30, 2022"), d(2022, 8, 30));
        assert_eq!(parse_date("03/04/2022"), None, "ambiguous");
        assert_eq!(parse_date("Version 3.00"), None);
        assert_eq!(parse_date("44803"), None);
        assert_eq!(parse_date("2022-02-30"), None);
    }

    #[test]
    fn a_date_field_above_the_header() {
        let mut grid = Grid::new();
        grid.insert(CellRef::new(0, 0), "Vendor assessment", false);
        grid.insert(CellRef::new(2, 0), "DATE-01", false);
        grid.insert(CellRef::new(2, 1), "Date", false);
        grid.insert(CellRef::new(2, 2), "2022-08-30", false);
        grid.insert(CellRef::new(5, 1), "Date", false);
        grid.insert(CellRef::new(5, 2), "2023-01-01", false);
        let found = date_field("General", &grid, Some(4)).unwrap();
        assert_eq!(found.date, Date::new(2022, 8, 30).unwrap());
        assert_eq!(found.from, "sheet 'General', cell C3");
        // Below the header it is a question row, not the questionnaire's date.
        assert_eq!(date_field("General", &grid, Some(1)), None);

        let mut grid = Grid::new();
        grid.insert(CellRef::new(1, 3), "Date completed:", false);
        grid.insert(CellRef::new(2, 3), "30 August 2022", false);
        assert_eq!(
            date_field("S", &grid, None).unwrap().from,
            "sheet 'S', cell D3"
        );
        let mut grid = Grid::new();
        grid.insert(CellRef::new(1, 0), "Date", false);
        grid.insert(CellRef::new(1, 1), "2999-01-01", false);
        assert_eq!(date_field("S", &grid, None), None, "not in the future");
    }
}
