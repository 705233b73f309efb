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

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::feature::{Feature, check_distinct};
use crate::production::{Production, Well, YearMonth};

/// One parsed data row before grouping.
struct Row {
    /// Index into the distinct API cells, in order of first appearance.
    api: u32,
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
        // Distinct API cells; files list a well's rows together, so the previous id is checked before the map.
        let mut apis: Vec<String> = Vec::new();
        let mut api_ids: HashMap<String, u32> = HashMap::new();
        let mut previous_api: Option<u32> = None;
        let mut record = csv::ByteRecord::new();
        while csv_reader
            .read_byte_record(&mut record)
            .map_err(csv_error)?
        {
            let line = record.position().map_or(0, |p| p.line());
            let raw = |index: usize| record.get(index).unwrap_or(b"");
            let bad = |index: usize, problem: &str| Error::BadCell {
                source_name: source_name.to_string(),
                line,
                column: header.get(index).unwrap_or("?").to_string(),
                value: String::from_utf8_lossy(raw(index)).into_owned(),
                problem: problem.to_string(),
            };
            let cell = |index: usize| {
                std::str::from_utf8(raw(index).trim_ascii())
                    .map_err(|_| bad(index, "not valid UTF-8"))
            };
            let api = cell(columns.api)?;
            if api.is_empty() {
                return Err(bad(columns.api, "empty API"));
            }
            let year: i32 = cell(columns.year)?
                .parse()
                .map_err(|_| bad(columns.year, "not an integer year"))?;
            let month: u32 = cell(columns.month)?
                .parse()
                .map_err(|_| bad(columns.month, "not an integer month"))?;
            if !(1..=12).contains(&month) {
                return Err(bad(columns.month, "month outside 1-12"));
            }
            for (&feature, &index) in features.iter().zip(&columns.features) {
                values.push(
                    parse_feature(feature, cell(index)?).map_err(|problem| bad(index, problem))?,
                );
            }
            let api_id = match previous_api.filter(|&id| apis[id as usize] == api) {
                Some(id) => id,
                None => *api_ids.entry(api.to_string()).or_insert_with(|| {
                    apis.push(api.to_string());
                    (apis.len() - 1) as u32
                }),
            };
            previous_api = Some(api_id);
            rows.push(Row {
                api: api_id,
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
        group(rows, &apis, values, n_features, source_name, features)
    }

    /// Opens and reads a production CSV file (see [`Production::read`]).
    pub fn from_path(path: impl AsRef<Path>, features: &[Feature]) -> Result<Production> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|error| Error::Io {
            path: path.to_path_buf(),
            error,
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
    apis: &[String],
    values: Vec<f32>,
    n_features: usize,
    source_name: &str,
    features: &[Feature],
) -> Result<Production> {
    let integers: Option<Vec<i64>> = apis.iter().map(|a| api_as_integer(a)).collect();
    let numeric_api = integers.is_some();
    // The well key of each distinct API cell: its integer value (so "0123" and "123" are one well, as in pandas'
    // int64 column) or its rank in string order.
    let key: Vec<i64> = match integers {
        Some(ints) => ints,
        None => {
            let mut order: Vec<usize> = (0..apis.len()).collect();
            order.sort_by(|&a, &b| apis[a].cmp(&apis[b]));
            let mut rank = vec![0i64; apis.len()];
            for (r, &i) in order.iter().enumerate() {
                rank[i] = r as i64;
            }
            rank
        }
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_unstable_by_key(|&i| (key[rows[i].api as usize], rows[i].when, rows[i].line));

    let mut wells: Vec<Well> = Vec::new();
    let mut previous: Option<usize> = None;
    for (position, &i) in order.iter().enumerate() {
        let row = &rows[i];
        let well_key = key[row.api as usize];
        let continues = previous.is_some_and(|p| key[rows[p].api as usize] == well_key);
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
            let api = if numeric_api {
                well_key.to_string()
            } else {
                apis[row.api as usize].clone()
            };
            let len = order[position..]
                .iter()
                .take_while(|&&j| key[rows[j].api as usize] == well_key)
                .count();
            wells.push(Well {
                api,
                months: Vec::with_capacity(len),
                lines: Vec::with_capacity(len),
                values: Vec::with_capacity(len * n_features),
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
