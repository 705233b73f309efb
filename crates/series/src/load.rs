//! Reading and validating a production CSV.
//!
//! Rules (each violation is an error naming the file, the line and the column):
//! - the header must hold `API`, `Year`, `Month` and the column of every requested feature (exact, case-sensitive
//!   names as pandas matches them; other columns such as `_LastUpdate` are ignored);
//! - `API` must be non-empty; `Year` an integer; `Month` an integer in 1–12;
//! - a feature cell must be a finite number, not negative (`negative production` for Liquid, Gas and Water), and
//!   `DaysOn` an integer in 0–31; empty cells are errors (pandas would read NaN and poison the scaler);
//! - an (API, Year, Month) key may appear once; a repeat is reported with both lines;
//! - a file without a header or without data rows is an error.
//!
//! Ordering: `pd.read_csv` parses `API` as int64 when every cell is an integer (the real file's API ids are 13- and
//! 14-digit integers such as `5005072170100`), and `groupby("API")` then orders wells numerically, which differs from
//! string order (`5005072170100` < `30015414470000` numerically but not as text). We do the same: numeric order and
//! integer keys (so `0123` and `123` are one well, printed `123`) when every API is an integer that fits in i64,
//! otherwise string order of the cells as written. Months are sorted by (Year, Month) within a well.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::feature::{Feature, check_distinct};
use crate::production::{Production, Well, YearMonth};

/// One parsed data row before grouping.
struct Row {
    api: String,
    when: YearMonth,
    line: u64,
}

/// Where the key and feature columns are in the header.
struct Columns {
    api: usize,
    year: usize,
    month: usize,
    features: Vec<usize>,
}

impl Production {
    /// Reads a production CSV from `reader`, loading the given features. `source_name` names the input in errors.
    pub fn read<R: Read>(reader: R, source_name: &str, features: &[Feature]) -> Result<Production> {
        check_distinct(features)?;
        let mut csv_reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(reader);
        let csv_error = |e: csv::Error| Error::Csv {
            source_name: source_name.to_string(),
            message: e.to_string(),
        };
        let header = csv_reader.headers().map_err(csv_error)?.clone();
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err(Error::Empty {
                source_name: source_name.to_string(),
                what: "no header line",
            });
        }
        let columns = find_columns(&header, source_name, features)?;

        let n_features = features.len();
        let mut rows: Vec<Row> = Vec::new();
        let mut values: Vec<f32> = Vec::new();
        let mut record = csv::StringRecord::new();
        while csv_reader.read_record(&mut record).map_err(csv_error)? {
            let line = record.position().map_or(0, |p| p.line());
            let cell = |index: usize| record.get(index).unwrap_or("");
            let bad = |index: usize, problem: &str| Error::BadCell {
                source_name: source_name.to_string(),
                line,
                column: header.get(index).unwrap_or("?").to_string(),
                value: cell(index).to_string(),
                problem: problem.to_string(),
            };
            let api = cell(columns.api).trim();
            if api.is_empty() {
                return Err(bad(columns.api, "empty API"));
            }
            let year: i32 = cell(columns.year)
                .trim()
                .parse()
                .map_err(|_| bad(columns.year, "not an integer year"))?;
            let month: u32 = cell(columns.month)
                .trim()
                .parse()
                .map_err(|_| bad(columns.month, "not an integer month"))?;
            if !(1..=12).contains(&month) {
                return Err(bad(columns.month, "month outside 1-12"));
            }
            for (&feature, &index) in features.iter().zip(&columns.features) {
                values.push(
                    parse_feature(feature, cell(index)).map_err(|problem| bad(index, problem))?,
                );
            }
            rows.push(Row {
                api: api.to_string(),
                when: YearMonth { year, month },
                line,
            });
        }
        if rows.is_empty() {
            return Err(Error::Empty {
                source_name: source_name.to_string(),
                what: "no data rows",
            });
        }
        group(rows, values, n_features, source_name, features)
    }

    /// Opens and reads a production CSV file (see [`Production::read`]).
    pub fn from_path(path: impl AsRef<Path>, features: &[Feature]) -> Result<Production> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Production::read(
            std::io::BufReader::new(file),
            &path.display().to_string(),
            features,
        )
    }
}

fn find_columns(
    header: &csv::StringRecord,
    source_name: &str,
    features: &[Feature],
) -> Result<Columns> {
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::MissingColumn {
                source_name: source_name.to_string(),
                column: name.to_string(),
                header: header.iter().collect::<Vec<_>>().join(","),
            })
    };
    Ok(Columns {
        api: find("API")?,
        year: find("Year")?,
        month: find("Month")?,
        features: features
            .iter()
            .map(|f| find(f.column()))
            .collect::<Result<Vec<_>>>()?,
    })
}

/// Parses one feature cell, or says what is wrong with it.
fn parse_feature(feature: Feature, text: &str) -> std::result::Result<f32, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty cell");
    }
    let value: f64 = text.parse().map_err(|_| "not a number")?;
    if !value.is_finite() {
        return Err("not a finite number");
    }
    if value < 0.0 {
        return Err(if feature.is_production() {
            "negative production"
        } else {
            "negative value"
        });
    }
    if feature == Feature::DaysOn && (value.fract() != 0.0 || value > 31.0) {
        return Err("DaysOn must be an integer in 0-31");
    }
    Ok(value as f32)
}

/// Parses an API cell the way pandas' int64 inference would (optional sign, ASCII digits, fits in i64).
fn api_as_integer(api: &str) -> Option<i64> {
    let digits = api.strip_prefix(['+', '-']).unwrap_or(api);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    api.parse().ok()
}

/// Groups rows into wells ordered by API, months ordered within each well, duplicates rejected.
fn group(
    rows: Vec<Row>,
    values: Vec<f32>,
    n_features: usize,
    source_name: &str,
    features: &[Feature],
) -> Result<Production> {
    let integers: Option<Vec<i64>> = rows.iter().map(|r| api_as_integer(&r.api)).collect();
    let numeric_api = integers.is_some();

    // Key per row: the integer (numeric mode) or the index of the distinct string, both sorted like pandas.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    match &integers {
        Some(ints) => order.sort_by_key(|&i| (ints[i], rows[i].when, rows[i].line)),
        None => order.sort_by(|&a, &b| {
            (rows[a].api.as_str(), rows[a].when, rows[a].line).cmp(&(
                rows[b].api.as_str(),
                rows[b].when,
                rows[b].line,
            ))
        }),
    }
    let same_well = |a: usize, b: usize| match &integers {
        Some(ints) => ints[a] == ints[b],
        None => rows[a].api == rows[b].api,
    };

    let mut wells: Vec<Well> = Vec::new();
    let mut previous: Option<usize> = None;
    for &i in &order {
        let row = &rows[i];
        let continues = previous.is_some_and(|p| same_well(p, i));
        if let Some(p) = previous.filter(|_| continues) {
            if rows[p].when == row.when {
                return Err(Error::DuplicateMonth {
                    source_name: source_name.to_string(),
                    api: wells.last().map(|w| w.api.clone()).unwrap_or_default(),
                    year: row.when.year,
                    month: row.when.month,
                    first_line: rows[p].line,
                    second_line: row.line,
                });
            }
        }
        if !continues {
            let api = match &integers {
                Some(ints) => ints[i].to_string(),
                None => row.api.clone(),
            };
            wells.push(Well {
                api,
                months: Vec::new(),
                lines: Vec::new(),
                values: Vec::new(),
                n_features,
            });
        }
        if let Some(well) = wells.last_mut() {
            well.months.push(row.when);
            well.lines.push(row.line);
            well.values
                .extend_from_slice(&values[i * n_features..(i + 1) * n_features]);
        }
        previous = Some(i);
    }
    Ok(Production {
        source: source_name.to_string(),
        features: features.to_vec(),
        wells,
        numeric_api,
    })
}
