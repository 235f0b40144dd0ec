//! One sheet as the layout detector sees it: the non-empty cells, what is merged, hidden or a dropdown.
//!
//! In: cells from calamine (or a CSV), the sheet's extras from its XML. Out: a [`Grid`] that answers "what does
//! this cell show" with merged areas filled in (a label merged over several rows belongs to each of them, see
//! #3), and "which values does this cell's dropdown allow". Sparse, so a sheet that declares a million rows but
//! holds eighty costs eighty rows.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::instructions::Instruction;
use crate::cell::CellRef;
use crate::ooxml::sheet_xml::Area;

/// A cell's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// What the cell shows (a formula's cached value), trimmed of surrounding whitespace.
    pub text: String,
    /// The cell holds a formula: computed from elsewhere, never written to.
    pub formula: bool,
}

/// A dropdown resolved to its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropdown {
    pub areas: Vec<Area>,
    pub values: Vec<String>,
}

/// Most values, and most characters in all, of a dropdown list that answerbank treats as a choice of answers.
const MAX_CHOICES: usize = 1_000;
const MAX_CHOICE_CHARS: usize = 10_000;

fn is_choice_list(values: &[String]) -> bool {
    values.len() <= MAX_CHOICES
        && values.iter().map(|v| v.chars().count()).sum::<usize>() <= MAX_CHOICE_CHARS
}

/// A sparse sheet.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    /// Row → cells sorted by column.
    rows: BTreeMap<u32, Vec<(u32, Cell)>>,
    pub hidden_rows: HashSet<u32>,
    merges: Vec<Area>,
    /// Row → indexes into `merges` of the areas that cover a cell of that row.
    merges_by_row: HashMap<u32, Vec<usize>>,
    pub dropdowns: Vec<Dropdown>,
    /// What the sheet's input messages ask of cells (see #26): leave them alone, or answer in another column.
    pub instructions: Vec<(Vec<Area>, Instruction)>,
    pub protected: bool,
    cells: usize,
    /// Cells whose text was longer than a cell may hold, with their length in characters: only the first
    /// 32,767 characters (Excel's limit) are kept (see #29).
    pub cut_cells: Vec<(CellRef, usize)>,
}

/// The part of a cell's text that is kept: trimmed, and cut to Excel's limit (with the length in characters of
/// what was there, when it was cut). Only looks at the limit's worth of a long text, and copies nothing.
fn kept_range(text: &str) -> (std::ops::Range<usize>, Option<usize>) {
    let start = text.len() - text.trim_start().len();
    let rest = &text[start..];
    match crate::cell::cell_limit_cut(rest) {
        Some(cut) => {
            let end = start + rest[..cut].trim_end().len();
            (start..end, Some(rest.trim_end().chars().count()))
        }
        None => (start..start + rest.trim_end().len(), None),
    }
}

impl Grid {
    pub fn new() -> Grid {
        Grid::default()
    }

    /// Adds a cell. Cells with no text and no formula are not kept.
    pub fn insert(&mut self, at: CellRef, text: &str, formula: bool) {
        let (range, cut) = kept_range(text);
        self.insert_kept(at, text[range].to_string(), cut, formula);
    }

    /// Adds a cell whose text is already an owned string: a long one is cut in place, never copied whole.
    pub fn insert_owned(&mut self, at: CellRef, mut text: String, formula: bool) {
        let (range, cut) = kept_range(&text);
        text.truncate(range.end);
        text.drain(..range.start);
        if cut.is_some() {
            text.shrink_to_fit();
        }
        self.insert_kept(at, text, cut, formula);
    }

    fn insert_kept(&mut self, at: CellRef, text: String, cut: Option<usize>, formula: bool) {
        if text.is_empty() && !formula {
            return;
        }
        if let Some(chars) = cut {
            self.cut_cells.push((at, chars));
        }
        let row = self.rows.entry(at.row).or_default();
        let cell = Cell { text, formula };
        match row.binary_search_by_key(&at.col, |(c, _)| *c) {
            Ok(i) => row[i].1 = cell,
            Err(i) => {
                row.insert(i, (at.col, cell));
                self.cells += 1;
            }
        }
    }

    /// Number of cells held.
    pub fn len(&self) -> usize {
        self.cells
    }

    pub fn is_empty(&self) -> bool {
        self.cells == 0
    }

    /// Sets the merged areas. Only rows that hold cells are indexed, so a merge declared over a million rows
    /// costs nothing more than the rows that exist; rows without cells inside a short area are indexed too (they
    /// still show the anchor's text). Excel forbids overlapping merges: an area that overlaps one kept before it
    /// is dropped, so each row's areas stay disjoint and sorted by column, and a lookup is a binary search. A
    /// hostile sheet of thousands of stacked merges therefore costs one area, and past `MAX_INDEXED_ROWS` (row,
    /// area) pairs the rest are ignored.
    pub fn set_merges(&mut self, merges: Vec<Area>) {
        const FILL_EMPTY_ROWS_BELOW: u32 = 1_000;
        const MAX_INDEXED_ROWS: usize = 2_000_000;
        self.merges.clear();
        self.merges_by_row.clear();
        let rows: Vec<u32> = self.rows.keys().copied().collect();
        let mut indexed = 0;
        for area in merges {
            // The quick test first: an area whose top-left cell is already merged overlaps a kept one.
            if self.merge_at(area.first).is_some() {
                continue;
            }
            let start = rows.partition_point(|&r| r < area.first.row);
            let end = start + rows[start..].partition_point(|&r| r <= area.last.row);
            if start == end {
                continue;
            }
            let filled: Vec<u32>;
            let span: &[u32] = if area.last.row - area.first.row < FILL_EMPTY_ROWS_BELOW {
                filled = (area.first.row..=area.last.row).collect();
                &filled
            } else {
                &rows[start..end]
            };
            if indexed + span.len() > MAX_INDEXED_ROWS {
                break;
            }
            if span
                .iter()
                .any(|&row| self.overlapping(row, &area).is_some())
            {
                continue;
            }
            let index = self.merges.len();
            self.merges.push(area);
            for &row in span {
                let list = self.merges_by_row.entry(row).or_default();
                let at = list.partition_point(|&i| self.merges[i].first.col < area.first.col);
                list.insert(at, index);
            }
            indexed += span.len();
        }
    }

    /// The kept area in `row` whose columns overlap `area`'s, if any (a row's areas are disjoint and sorted).
    fn overlapping(&self, row: u32, area: &Area) -> Option<usize> {
        let list = self.merges_by_row.get(&row)?;
        // The last area starting at or before `area`'s last column is the only one that can overlap it.
        let after = list.partition_point(|&i| self.merges[i].first.col <= area.last.col);
        let candidate = *list.get(after.checked_sub(1)?)?;
        (self.merges[candidate].last.col >= area.first.col).then_some(candidate)
    }

    /// The rows that hold at least one cell, in order.
    pub fn row_numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.rows.keys().copied()
    }

    /// The highest column holding a cell, if any.
    pub fn max_col(&self) -> Option<u32> {
        self.rows
            .values()
            .filter_map(|cells| cells.last().map(|(c, _)| *c))
            .max()
    }

    /// The cell itself, if it holds something.
    pub fn cell(&self, at: CellRef) -> Option<&Cell> {
        let row = self.rows.get(&at.row)?;
        row.binary_search_by_key(&at.col, |(c, _)| *c)
            .ok()
            .map(|i| &row[i].1)
    }

    /// The cells of a row, sorted by column.
    pub fn row_cells(&self, row: u32) -> &[(u32, Cell)] {
        self.rows.get(&row).map_or(&[], Vec::as_slice)
    }

    /// The merged area a cell belongs to, if any.
    pub fn merge_at(&self, at: CellRef) -> Option<&Area> {
        let point = Area {
            first: at,
            last: at,
        };
        self.overlapping(at.row, &point).map(|i| &self.merges[i])
    }

    /// What the cell shows: its own text, or the text of the merged area it is part of.
    pub fn text(&self, at: CellRef) -> &str {
        if let Some(cell) = self.cell(at) {
            return &cell.text;
        }
        match self.merge_at(at) {
            Some(area) if area.first != at => self.cell(area.first).map_or("", |c| c.text.as_str()),
            _ => "",
        }
    }

    /// True when the cell is inside a merged area but not its top-left cell: writing there would not show.
    pub fn is_merge_shadow(&self, at: CellRef) -> bool {
        self.merge_at(at).is_some_and(|a| a.first != at)
    }

    /// The values a cell's dropdown allows, if it has one.
    ///
    /// A list too long to be a choice of answers (a country list of thousands, or a whole column) counts as no
    /// dropdown: it would be copied into every answer cell and every review row (one review cell holds at most
    /// 32,767 characters), and no Yes/No/N-A answer is chosen from it.
    pub fn dropdown(&self, at: CellRef) -> Option<&[String]> {
        self.dropdowns
            .iter()
            .find(|d| d.areas.iter().any(|a| a.contains(at)))
            .map(|d| d.values.as_slice())
            .filter(|values| is_choice_list(values))
    }

    /// What the sheet's input message on this cell asks, if it asks anything (the last one that covers it wins,
    /// as in a spreadsheet application).
    pub fn instruction(&self, at: CellRef) -> Option<Instruction> {
        self.instructions
            .iter()
            .rev()
            .find(|(areas, _)| areas.iter().any(|a| a.contains(at)))
            .map(|(_, instruction)| *instruction)
    }

    /// The texts of a rectangle's cells in reading order (used to resolve list dropdowns).
    pub fn texts_in(&self, area: &Area) -> Vec<String> {
        let mut out = Vec::new();
        for (_, cells) in self.rows.range(area.first.row..=area.last.row) {
            for (col, cell) in cells {
                if (area.first.col..=area.last.col).contains(col) && !cell.text.is_empty() {
                    out.push(cell.text.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_labels_fill_their_area() {
        let mut grid = Grid::new();
        grid.insert(CellRef::new(2, 0), "Access control", false);
        grid.insert(CellRef::new(4, 1), "Question?", false);
        grid.set_merges(vec![Area::parse("A3:A6").unwrap()]);
        assert_eq!(grid.text(CellRef::new(4, 0)), "Access control");
        assert_eq!(
            grid.text(CellRef::new(5, 0)),
            "Access control",
            "a row with no cell of its own"
        );
        assert!(grid.is_merge_shadow(CellRef::new(4, 0)));
        assert!(!grid.is_merge_shadow(CellRef::new(2, 0)));
        assert_eq!(grid.text(CellRef::new(7, 0)), "");
    }

    #[test]
    fn text_past_a_cells_limit_is_cut_and_noted() {
        let mut grid = Grid::new();
        let long = format!("  Do you {}?  ", "é".repeat(40_000));
        grid.insert(CellRef::new(0, 0), &long, false);
        grid.insert_owned(CellRef::new(1, 0), long.clone(), false);
        grid.insert_owned(CellRef::new(2, 0), " short ".to_string(), false);
        for row in 0..2 {
            let text = grid.text(CellRef::new(row, 0));
            assert_eq!(text.chars().count(), crate::cell::MAX_CELL_CHARS);
            assert!(text.starts_with("Do you é"));
        }
        assert_eq!(grid.text(CellRef::new(2, 0)), "short");
        assert_eq!(
            grid.cut_cells,
            vec![(CellRef::new(0, 0), 40_008), (CellRef::new(1, 0), 40_008)]
        );
    }

    #[test]
    fn a_huge_merge_costs_only_the_rows_that_exist() {
        let mut grid = Grid::new();
        grid.insert(CellRef::new(0, 0), "x", false);
        grid.set_merges(vec![Area::parse("A1:A1048576").unwrap()]);
        assert!(grid.merges_by_row.len() <= 1);
    }

    #[test]
    fn areas_side_by_side_are_found_and_overlapping_ones_dropped() {
        let mut grid = Grid::new();
        for col in 0..6 {
            grid.insert(CellRef::new(0, col), &format!("h{col}"), false);
        }
        let areas = ["A1:B2", "E1:F1", "C1:D2", "B2:C3"];
        grid.set_merges(areas.iter().map(|a| Area::parse(a).unwrap()).collect());
        let anchor = |row, col| grid.merge_at(CellRef::new(row, col)).map(|a| a.first);
        assert_eq!(anchor(1, 1), Some(CellRef::new(0, 0)));
        assert_eq!(anchor(1, 3), Some(CellRef::new(0, 2)));
        assert_eq!(anchor(0, 5), Some(CellRef::new(0, 4)));
        assert_eq!(
            anchor(2, 1),
            None,
            "B2:C3 overlaps the first two and is dropped"
        );
        assert_eq!(grid.merges.len(), 3);
    }

    #[test]
    fn thousands_of_stacked_merges_cost_one() {
        // 20,000 copies of one 999-row area: each would be indexed on every row, and searched on every lookup.
        let mut grid = Grid::new();
        for row in 0..999 {
            grid.insert(CellRef::new(row, 2), "x", false);
        }
        grid.set_merges(vec![Area::parse("C1:C999").unwrap(); 20_000]);
        assert_eq!(grid.merges.len(), 1);
        assert!(grid.merges_by_row.values().all(|list| list.len() == 1));
    }
}
