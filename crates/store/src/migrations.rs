//! Schema migrations, embedded in the binary and applied in order on open (sqlx's migrator,
//! which records applied versions and checksums in `_sqlx_migrations`).
//!
//! Add a migration by appending a file under `migrations/` and a line below; never edit one
//! that has shipped (its checksum is verified).

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// (version, description, SQL)
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "meta", include_str!("../migrations/0001_meta.sql")),
    (
        2,
        "documents",
        include_str!("../migrations/0002_documents.sql"),
    ),
];

#[cfg(test)]
pub(crate) const MIGRATIONS_LEN: usize = MIGRATIONS.len();

pub(crate) fn migrator() -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    description.into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}
