//! A cell's value as the layout reads it: whole numbers without `.0`, dates as ISO dates, booleans and errors as
//! Excel shows them.
//!
//! In: a calamine [`Data`] value. Out: its text, borrowed when the cell holds text already.

use std::borrow::Cow;

use calamine::Data;

use crate::date::Date;

/// A cell value as text: whole numbers without `.0`, dates as ISO dates; a text borrowed.
pub(super) fn data_text(value: &Data) -> Cow<'_, str> {
    Cow::Owned(match value {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => return Cow::Borrowed(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) => serial_date_text(d.as_f64()),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    })
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Excel's day serial (1900 system) as `YYYY-MM-DD`.
fn serial_date_text(serial: f64) -> String {
    if !(0.0..3_000_000.0).contains(&serial) {
        return float_text(serial);
    }
    let epoch = Date::new(1899, 12, 30).expect("valid date");
    epoch.add_days(serial.floor() as i64).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_as_text() {
        assert_eq!(float_text(3.0), "3");
        assert_eq!(float_text(0.5), "0.5");
        assert_eq!(serial_date_text(44803.0), "2022-08-30");
    }
}
