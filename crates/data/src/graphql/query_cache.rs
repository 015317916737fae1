//! Parsed GraphQL documents by query text, per [`crate::DataService`] (so per generation):
//! the aws-amplify client sends the same few documents over and over, and parsing one costs
//! more than cloning its syntax tree. Only parsing is skipped: async-graphql still checks the
//! document's depth and directives and validates it against the schema on every request
//! (validation depends on the variables). Documents that do not parse are not kept (the
//! schema parses them again and answers the error).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;

/// At most this many documents; when full, the cache starts over.
pub const CAPACITY: usize = 256;
/// Longer query texts are parsed every time and not kept.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

#[derive(Default)]
pub struct QueryCache {
    docs: Mutex<HashMap<String, Arc<ExecutableDocument>>>,
}

impl QueryCache {
    /// Sets `request`'s parsed document from the cache, parsing (and keeping) it on a miss.
    pub fn prepare(&self, request: &mut async_graphql::Request) {
        if request.query.len() > MAX_QUERY_BYTES {
            return;
        }
        let cached = self.lock().get(&request.query).cloned();
        let doc = match cached {
            Some(doc) => doc,
            None => {
                let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
                    return;
                };
                let doc = Arc::new(doc);
                let mut docs = self.lock();
                if docs.len() >= CAPACITY {
                    docs.clear();
                }
                docs.insert(request.query.clone(), doc.clone());
                doc
            }
        };
        request.set_parsed_query(ExecutableDocument::clone(&doc));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<ExecutableDocument>>> {
        self.docs.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_parsed_documents_bounded_and_skips_errors() {
        let cache = QueryCache::default();
        let q = "query Q($id: ID!) { getTodo(id: $id) { id } }";
        let mut a = async_graphql::Request::new(q);
        cache.prepare(&mut a);
        assert_eq!(cache.len(), 1);
        let mut b = async_graphql::Request::new(q);
        cache.prepare(&mut b);
        assert_eq!(cache.len(), 1);
        assert_eq!(
            format!("{:?}", a.parsed_query().unwrap()),
            format!("{:?}", b.parsed_query().unwrap())
        );
        // Not a document: not kept, left for the schema to answer.
        let mut bad = async_graphql::Request::new("query {");
        cache.prepare(&mut bad);
        assert_eq!(cache.len(), 1);
        assert!(bad.parsed_query().is_err());
        for i in 0..CAPACITY + 5 {
            cache.prepare(&mut async_graphql::Request::new(format!("{{ f{i} }}")));
        }
        assert!(cache.len() <= CAPACITY);
        let mut long =
            async_graphql::Request::new(format!("{{ {} }}", "a ".repeat(MAX_QUERY_BYTES)));
        let before = cache.len();
        cache.prepare(&mut long);
        assert_eq!(cache.len(), before);
    }
}
