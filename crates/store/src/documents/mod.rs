//! The document store behind the data API: every model's items stored as JSON documents keyed as
//! DynamoDB keys them (the model's primary key: a partition key field and optional sort key
//! fields, several sort key fields joined with `#` as the AppSync transformer joins them), with
//! AppSync/DynamoDB semantics for create/get/update/delete, list (scan) and key queries on the
//! table or a secondary index, filters, `limit` and `nextToken`.
//!
//! [`DocumentStore`] is the storage trait (SQLite now, PostgreSQL later); everything
//! dialect-specific stays inside an implementation. [`SqliteDocumentStore`] is the SQLite one,
//! on the shared pool of [`crate::Store`].
//!
//! ```no_run
//! # async fn demo(state: &std::path::Path, schema: &stratus_spec::data::DataSchema)
//! #     -> Result<(), Box<dyn std::error::Error>> {
//! use serde_json::json;
//! use stratus_store::Store;
//! use stratus_store::documents::*;
//!
//! let store = Store::open(state).await?;
//! let docs = SqliteDocumentStore::open(&store).await?;
//! // On every (re)load of the schema; join models of `@manyToMany` and other generated models
//! // must be in `schema.models` to get tables.
//! docs.ensure_schema(schema).await?;
//! let item = json!({"id": "p1", "status": "DRAFT", "createdAt": "2024-01-01T00:00:00Z"});
//! let Some(item) = item.as_object().cloned() else { return Ok(()) };
//! docs.create("Post", item, None).await?;
//! // listPostsByStatusAndCreatedAt(status: "DRAFT", createdAt: {beginsWith: "2024"}, limit: 10)
//! let page = docs
//!     .query(
//!         "Post",
//!         &QueryRequest {
//!             index: Some(KeySchema::new("status", &["createdAt"])),
//!             partition: Some(json!("DRAFT")),
//!             sort: Some(SortCondition::BeginsWith("2024".into())),
//!             filter: Some(Filter::from_input(&json!({"title": {"contains": "rust"}}))?),
//!             limit: Some(10),
//!             ..QueryRequest::default()
//!         },
//!     )
//!     .await?;
//! println!("{} items, next token {:?}", page.items.len(), page.next_token);
//! # Ok(())
//! # }
//! ```

mod error;
pub mod filter;
mod filter_eval;
mod layout;
mod sqlite;
mod token;

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use stratus_spec::data::DataSchema;

pub use error::DocumentError;
pub use filter::{AttributeType, FieldOp, Filter, FilterError, SizeOp};
pub use layout::{KeySchema, ModelLayout, composite_sort_value, layouts_for};
pub use sqlite::SqliteDocumentStore;

/// One item: a JSON object (field name → value), as AppSync hands it to DynamoDB.
pub type Document = serde_json::Map<String, Value>;

/// The future every [`DocumentStore`] method returns (boxed so the trait is object-safe and can
/// be shared as `Arc<dyn DocumentStore>`).
pub type DocFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, DocumentError>> + Send + 'a>>;

/// The page size AppSync's list and query resolvers use when the caller gives no `limit`.
pub const DEFAULT_LIMIT: u32 = 100;

/// The most items one page examines whatever the `limit` (DynamoDB stops a page at 1 MB the
/// same way): a larger `limit` gets a page of this many and a `next_token`.
pub const MAX_PAGE_ITEMS: u32 = 10_000;

/// `ASC` (the default) or `DESC` (`scanIndexForward = false`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortDirection {
    #[default]
    Asc,
    Desc,
}

/// A key condition on the sort key of the queried table or index (`ModelStringKeyConditionInput`
/// and friends). For a composite sort key the value is the `#`-joined string AppSync builds (see
/// [`composite_sort_value`]); for a single sort key field it is the field's value (string or
/// number).
#[derive(Debug, Clone, PartialEq)]
pub enum SortCondition {
    Eq(Value),
    Le(Value),
    Lt(Value),
    Ge(Value),
    Gt(Value),
    Between(Value, Value),
    BeginsWith(String),
}

/// A list (scan) or a key query.
///
/// - `partition: None` is a Scan (AppSync's list without key arguments): every item of the table,
///   or of the index when `index` is set (items lacking an index key attribute are not in the
///   index, as in DynamoDB's sparse indexes). `sort` must then be `None`.
/// - `partition: Some(v)` is a Query on the table's primary key (`index: None`) or on the
///   secondary index with those key fields, optionally narrowed by `sort`.
///
/// As in DynamoDB, `limit` bounds the number of items *examined*; the `filter` is applied to
/// those, so a page may hold fewer than `limit` items and still carry a `next_token`.
#[derive(Debug, Clone, Default)]
pub struct QueryRequest {
    /// The key fields of the secondary index to use (an `@index` of the model or a relationship
    /// key); `None` = the table itself.
    pub index: Option<KeySchema>,
    pub partition: Option<Value>,
    pub sort: Option<SortCondition>,
    pub filter: Option<Filter>,
    /// Items examined per page; `None` = [`DEFAULT_LIMIT`]. Must be at least 1; at most
    /// [`MAX_PAGE_ITEMS`] are examined.
    pub limit: Option<u32>,
    /// A token from a previous [`Page`] of the same query.
    pub next_token: Option<String>,
    /// Ignored by a scan (which returns items in insertion order).
    pub direction: SortDirection,
}

/// One page of a list or query.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<Document>,
    /// Present when more items may follow; opaque and signed.
    pub next_token: Option<String>,
    /// How many items were examined (before the filter), like DynamoDB's `ScannedCount`.
    pub scanned_count: usize,
}

/// What [`DocumentStore::ensure_schema`] did to one model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelChange {
    pub model: String,
    /// The model's table was created now.
    pub created: bool,
    pub added_fields: Vec<String>,
    /// Fields no longer in the schema; their values stay in the stored items.
    pub removed_fields: Vec<String>,
    pub added_indexes: Vec<KeySchema>,
    pub removed_indexes: Vec<KeySchema>,
    /// The primary key changed on a table without items, so its key index was rebuilt.
    pub primary_key_changed: bool,
}

/// The outcome of [`DocumentStore::ensure_schema`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaReport {
    /// One entry per model of the schema whose storage was created or changed.
    pub changes: Vec<ModelChange>,
    /// Models stored earlier but absent from this schema: their items are kept untouched.
    pub retained_models: Vec<String>,
}

/// Storage of model items with DynamoDB semantics.
///
/// Keys are passed as a [`Document`] holding the primary key fields (AppSync's
/// `modelObjectKey`): the partition key field and every sort key field, each a string or a
/// number. Conditions are [`Filter`]s evaluated against the stored item (an absent item has no
/// attributes); a failed condition or a missing item is
/// [`DocumentError::ConditionalCheckFailed`], as DynamoDB reports it to AppSync.
pub trait DocumentStore: Send + Sync {
    /// Create the storage the schema needs and adapt it to a changed schema, keeping data: new
    /// fields need nothing, new indexes are built in place, removed indexes are dropped (never
    /// items or fields). A change that cannot be applied (a changed primary key on a table with
    /// items) is [`DocumentError::PrimaryKeyChanged`], and nothing of the schema is applied.
    fn ensure_schema<'a>(&'a self, schema: &'a DataSchema) -> DocFuture<'a, SchemaReport>;

    /// The layouts currently applied, one per stored model.
    fn layouts(&self) -> DocFuture<'_, Vec<ModelLayout>>;

    /// `PutItem` with `attribute_not_exists(key)`: store `item` unless an item with its key
    /// exists. `condition` is evaluated against the (absent) existing item, as AppSync's create
    /// resolver does. Returns the stored item.
    fn create<'a>(
        &'a self,
        model: &'a str,
        item: Document,
        condition: Option<&'a Filter>,
    ) -> DocFuture<'a, Document>;

    /// `GetItem`.
    fn get<'a>(&'a self, model: &'a str, key: &'a Document) -> DocFuture<'a, Option<Document>>;

    /// `BatchGetItem` on one model: the item of each key, in the order of `keys` (for
    /// relationship loaders).
    fn batch_get<'a>(
        &'a self,
        model: &'a str,
        keys: &'a [Document],
    ) -> DocFuture<'a, Vec<Option<Document>>>;

    /// `UpdateItem` on an existing item: each field of `changes` is set, a `null` removes the
    /// attribute (AppSync's `REMOVE`), other attributes are kept. Key fields cannot change.
    /// Returns the updated item.
    fn update<'a>(
        &'a self,
        model: &'a str,
        key: &'a Document,
        changes: Document,
        condition: Option<&'a Filter>,
    ) -> DocFuture<'a, Document>;

    /// `DeleteItem` on an existing item; returns the deleted item.
    fn delete<'a>(
        &'a self,
        model: &'a str,
        key: &'a Document,
        condition: Option<&'a Filter>,
    ) -> DocFuture<'a, Document>;

    /// `Scan` or `Query` (see [`QueryRequest`]).
    fn query<'a>(&'a self, model: &'a str, request: &'a QueryRequest) -> DocFuture<'a, Page>;
}
