//! The one SQL interface every feature's repository runs on, whichever backend holds the
//! workspace (SQLite or PostgreSQL): a [`Connection`] runs statements with `?N` placeholders,
//! binds [`Param`]s and answers owned [`Row`]s. Repositories write one portable dialect (the
//! subset both engines share; the PostgreSQL session turns `?N` into `$N`) and never learn which
//! engine runs it; the engines differ only in how they open transactions and lock (see
//! `sqlite.rs`, `postgres.rs` and docs/postgres.md).

use std::fmt;

/// A value read from the database. Both engines give only these four kinds back (booleans
/// arrive as `Int`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, Copy)]
pub enum ValueRef<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// Something that binds to a placeholder.
pub trait Param {
    fn value(&self) -> ValueRef<'_>;
}

impl Param for str {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}
impl Param for String {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}
impl Param for [u8] {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}
impl Param for Vec<u8> {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}
impl Param for i64 {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::Int(*self)
    }
}
impl Param for i32 {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::Int(i64::from(*self))
    }
}
impl Param for u32 {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::Int(i64::from(*self))
    }
}
impl Param for bool {
    fn value(&self) -> ValueRef<'_> {
        ValueRef::Int(i64::from(*self))
    }
}
impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> ValueRef<'_> {
        (**self).value()
    }
}
impl<T: Param> Param for Option<T> {
    fn value(&self) -> ValueRef<'_> {
        match self {
            Some(v) => v.value(),
            None => ValueRef::Null,
        }
    }
}

/// `params![a, b]`: the placeholders' values, by reference (as rusqlite's macro of that name).
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::store::sql::Param]
    };
    ($($p:expr),+ $(,)?) => {
        &[$(&$p as &dyn $crate::store::sql::Param),+] as &[&dyn $crate::store::sql::Param]
    };
}
pub(crate) use params;

/// What kind of failure a statement met: the engines' own codes sorted into what callers act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbErrorKind {
    /// Transient: locked, a serialization conflict, the server restarting, the connection
    /// dropped before a commit was sent. The transaction may be run again.
    Busy,
    /// A unique, foreign-key, not-null or check constraint refused the change.
    Constraint,
    /// `query_row` found no row.
    NoRows,
    /// A column held another type than the caller asked for.
    Conversion,
    /// The connection failed while a COMMIT was under way: the change may or may not be in.
    UnknownOutcome,
    /// A statement ran longer than the statement timeout and was cancelled.
    Timeout,
    Other,
}

/// A database failure. Neither engine's messages carry bound values (secrets are bound).
#[derive(Debug, Clone)]
pub struct DbError {
    pub kind: DbErrorKind,
    pub message: String,
}

impl DbError {
    pub fn new(kind: DbErrorKind, message: impl Into<String>) -> Self {
        DbError { kind, message: message.into() }
    }

    pub fn is_constraint(&self) -> bool {
        self.kind == DbErrorKind::Constraint
    }

    pub fn is_busy(&self) -> bool {
        self.kind == DbErrorKind::Busy
    }

    /// A value that does not convert (for a repository's own checks of a column).
    pub fn conversion(column: usize, what: impl fmt::Display) -> Self {
        DbError::new(DbErrorKind::Conversion, format!("column {column}: {what}"))
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Turns `NoRows` into `None`, as rusqlite's `OptionalExtension`.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>, DbError>;
}

impl<T> OptionalExtension<T> for Result<T, DbError> {
    fn optional(self) -> Result<Option<T>, DbError> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.kind == DbErrorKind::NoRows => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// One result row, owned.
#[derive(Debug, Clone)]
pub struct Row {
    values: Vec<Value>,
}

impl Row {
    pub fn new(values: Vec<Value>) -> Self {
        Row { values }
    }

    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, DbError> {
        let v = self.values.get(i).ok_or_else(|| DbError::conversion(i, "no such column"))?;
        T::from_value(v).ok_or_else(|| DbError::conversion(i, format!("unexpected {}", kind_name(v))))
    }
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Int(_) => "integer",
        Value::Text(_) => "text",
        Value::Blob(_) => "blob",
    }
}

/// A Rust type a column converts to.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> Option<Self>;
}

impl FromValue for String {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}
impl FromValue for i64 {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
}
impl FromValue for u32 {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).and_then(|n| u32::try_from(n).ok())
    }
}
impl FromValue for bool {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).map(|n| n != 0)
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Blob(b) => Some(b.clone()),
            _ => None,
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// What each engine's connection implements; callers use the methods of [`Connection`].
pub trait Session {
    /// Runs one statement; answers how many rows it changed.
    fn run(&self, sql: &str, params: &[&dyn Param]) -> Result<usize, DbError>;
    /// Runs one query; answers every row.
    fn fetch(&self, sql: &str, params: &[&dyn Param]) -> Result<Vec<Row>, DbError>;
    /// Runs several statements without parameters.
    fn run_batch(&self, sql: &str) -> Result<(), DbError>;
    /// Milliseconds since the Unix epoch by the clock every user of this workspace shares:
    /// the local clock for a file on this machine, the server's for a shared database. Leases
    /// written by one machine and read by another compare times from this one clock.
    fn clock_ms(&self) -> Result<i64, DbError>;
}

/// A connection or a transaction of the workspace store (both engines), as repositories see it.
pub type Connection = dyn Session;
/// The same interface inside a write transaction (a name for readers of signatures).
pub type Transaction = dyn Session;

impl dyn Session + '_ {
    pub fn execute(&self, sql: &str, params: &[&dyn Param]) -> Result<usize, DbError> {
        self.run(sql, params)
    }

    pub fn execute_batch(&self, sql: &str) -> Result<(), DbError> {
        self.run_batch(sql)
    }

    /// The first row through `f`; `NoRows` when there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let rows = self.fetch(sql, params)?;
        match rows.first() {
            Some(r) => f(r),
            None => Err(DbError::new(DbErrorKind::NoRows, "the query returned no rows")),
        }
    }

    /// Every row through `f`.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnMut(&Row) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        self.fetch(sql, params)?.iter().map(f).collect()
    }
}

/// `?N` placeholders as PostgreSQL's `$N` (outside quoted text and identifiers).
pub fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    for ch in sql.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '\'' || ch == '"' => quote = Some(ch),
            None if ch == '?' => {
                out.push('$');
                continue;
            }
            None => {}
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_outside_quotes() {
        assert_eq!(
            numbered_placeholders("SELECT '?1', \"a?\" FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT '?1', \"a?\" FROM t WHERE a = $1 AND b = $12"
        );
    }

    #[test]
    fn rows_convert_and_refuse_other_kinds() {
        let r = Row::new(vec![Value::Int(1), Value::Null, Value::Text("x".into())]);
        assert!(r.get::<bool>(0).unwrap());
        assert_eq!(r.get::<Option<String>>(1).unwrap(), None);
        assert_eq!(r.get::<String>(2).unwrap(), "x");
        let e = r.get::<i64>(2).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (DbErrorKind::Conversion, "column 2: unexpected text"));
        assert_eq!(r.get::<String>(3).unwrap_err().message, "column 3: no such column");
    }
}
