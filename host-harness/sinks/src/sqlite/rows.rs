//! How a record becomes a row: each column's value from the record, the values that do not fit
//! their column kept exactly in the extra column, and the sync number.

use super::schema::{Kind, Table};
use rusqlite::types::Value as Sql;
use serde_json::{Map, Value};

impl Kind {
    /// Whether a JSON value is stored exactly in a column of this kind (else it is also kept,
    /// exactly, in the extra column).
    pub(super) fn fits(self, value: &Value) -> bool {
        const EXACT: i64 = 1 << 53;
        match (self, value) {
            (_, Value::Null) | (Kind::Json | Kind::Any, _) => true,
            (Kind::Text, v) => !v.is_object() && !v.is_array(),
            (Kind::Integer, v) => v.is_boolean() || v.is_i64(),
            (Kind::Boolean, v) => v.is_boolean(),
            (Kind::Real, Value::Number(n)) => n
                .as_i64()
                .map_or(n.is_f64(), |i| (-EXACT..=EXACT).contains(&i)),
            (Kind::Real, _) => false,
        }
    }

    /// The SQL value of a JSON value in a column of this kind. Never fails: a value of another
    /// type than the schema says is stored as what it is (objects and arrays as JSON text).
    pub(super) fn to_sql(self, value: &Value) -> Sql {
        match (self, value) {
            (_, Value::Null) => Sql::Null,
            (Kind::Json | Kind::Any, v) => Sql::Text(v.to_string()),
            (_, Value::Bool(b)) => Sql::Integer(i64::from(*b)),
            (_, Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Sql::Integer(i),
                // Beyond i64 (a u64): as text, which keeps every digit.
                (None, _) if n.is_u64() => Sql::Text(n.to_string()),
                (None, Some(f)) => Sql::Real(f),
                (None, None) => Sql::Text(n.to_string()),
            },
            (_, Value::String(s)) => Sql::Text(s.clone()),
            (_, v) => Sql::Text(v.to_string()),
        }
    }
}

/// The row values of a record (in the order of the table's insert), or why it cannot be keyed.
pub(super) fn row_of(table: &Table, text: &str) -> Result<Vec<Sql>, String> {
    let record: Value =
        serde_json::from_str(text).map_err(|e| format!("the record is not JSON: {e}"))?;
    let Value::Object(object) = &record else {
        return Err("the record is not a JSON object".to_owned());
    };
    let mut row = Vec::with_capacity(table.columns.len() + 2);
    let mut extra: Map<String, Value> = object
        .iter()
        .filter(|(k, _)| !table.properties.contains(k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (i, column) in table.columns.iter().enumerate() {
        let mut value = Some(&record);
        for key in &column.path {
            value = value.and_then(|v| v.get(key));
        }
        let value = value.unwrap_or(&Value::Null);
        if i < table.key_len && (value.is_null() || value.as_str() == Some("")) {
            return Err(format!(
                "the record has no value for its primary-key field {}",
                column.name
            ));
        }
        if column.path.len() == 1 && !column.kind.fits(value) {
            extra.insert(column.name.clone(), value.clone());
        }
        row.push(column.kind.to_sql(value));
    }
    row.push(if extra.is_empty() {
        Sql::Null
    } else {
        Sql::Text(Value::Object(extra).to_string())
    });
    row.push(Sql::Integer(table.sync));
    Ok(row)
}
