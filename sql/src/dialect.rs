//! The SQL dialect a database speaks, decided once from its URL when it is opened.

/// Which database engine a database is, and so which SQL it takes where the two differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A database URL that names neither SQLite nor PostgreSQL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unsupported database URL {0:?}: expected sqlite://FILE or postgres://…")]
pub struct UnsupportedUrl(pub String);

impl Dialect {
    /// The dialect of the database `url` names, from its scheme.
    pub fn of_url(url: &str) -> Result<Dialect, UnsupportedUrl> {
        if url.starts_with("sqlite:") {
            Ok(Dialect::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Dialect::Postgres)
        } else {
            Err(UnsupportedUrl(url.to_owned()))
        }
    }

    /// The statement that opens a transaction that will write: SQLite's `BEGIN IMMEDIATE` takes the
    /// write lock up front, so that what the transaction reads first stays true until it commits.
    pub fn begin_write(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        }
    }

    /// What follows a `SELECT` that reads rows the transaction will update, to lock them until it
    /// commits: nothing on SQLite, whose `BEGIN IMMEDIATE` already holds the one write lock.
    pub fn lock_rows_read(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Dialect;

    #[test]
    fn names_the_dialect_by_the_scheme_and_refuses_others() {
        assert_eq!(Dialect::of_url("sqlite://ledger.db"), Ok(Dialect::Sqlite));
        assert_eq!(Dialect::of_url("postgres://localhost/ledger"), Ok(Dialect::Postgres));
        assert_eq!(Dialect::of_url("postgresql://localhost/ledger"), Ok(Dialect::Postgres));
        assert!(Dialect::of_url("mysql://localhost/ledger").is_err());
    }
}
