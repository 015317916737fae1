//! The DynamoDB tables Amplify creates for the models, as a JS resolver names them: the data
//! source `<Model>Table` (`a.handler.custom({ dataSource: a.ref('Model') })`), table names in
//! batch requests, and the global secondary indexes by their `@index` names.

use std::collections::HashMap;

use stratus_schema::naming::{plural, to_lower, to_upper};
use stratus_spec::data::DataSpec;
use stratus_store::documents::KeySchema;

/// One model's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub model: String,
    pub key: KeySchema,
    /// Global secondary indexes by name.
    pub indexes: Vec<(String, KeySchema)>,
}

impl Table {
    /// The key attribute names of a key schema as DynamoDB has them: the partition key and
    /// the sort key attribute (`a#b` for a composite sort key).
    pub fn attributes(key: &KeySchema) -> (String, Option<String>) {
        (key.partition_key.clone(), key.sort_key_attribute())
    }

    pub fn index(&self, name: &str) -> Option<&KeySchema> {
        self.indexes.iter().find(|(n, _)| n == name).map(|(_, k)| k)
    }
}

/// Every model's table.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    tables: HashMap<String, Table>,
}

impl Tables {
    pub fn from_spec(spec: &DataSpec) -> Tables {
        let mut tables = HashMap::new();
        for model in &spec.schema.models {
            let (pk, sk) = model
                .primary_key
                .split_first()
                .map(|(p, s)| (p.clone(), s.to_vec()))
                .unwrap_or_else(|| ("id".into(), Vec::new()));
            let indexes = model
                .indexes
                .iter()
                .map(|i| {
                    let name = i.name.clone().unwrap_or_else(|| {
                        let parts: Vec<String> = std::iter::once(&i.partition_key)
                            .chain(&i.sort_keys)
                            .map(|p| to_upper(p))
                            .collect();
                        format!("{}By{}", to_lower(&plural(&model.name)), parts.join("And"))
                    });
                    (
                        name,
                        KeySchema {
                            partition_key: i.partition_key.clone(),
                            sort_keys: i.sort_keys.clone(),
                        },
                    )
                })
                .collect();
            tables.insert(
                model.name.clone(),
                Table {
                    model: model.name.clone(),
                    key: KeySchema {
                        partition_key: pk,
                        sort_keys: sk,
                    },
                    indexes,
                },
            );
        }
        Tables { tables }
    }

    /// The table behind the data source `<Model>Table`.
    pub fn data_source(&self, name: &str) -> Option<&Table> {
        self.tables.get(name.strip_suffix("Table")?)
    }

    /// A table by the name a batch request gives it: the model name, the data source name, or
    /// the deployed table name `<Model>-<apiId>-<env>`.
    pub fn by_name(&self, name: &str) -> Option<&Table> {
        self.tables
            .get(name)
            .or_else(|| self.data_source(name))
            .or_else(|| self.tables.get(name.split('-').next()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let sdl = r#"type Post @model { id: ID! title: String @index(queryField: "byTitle") blogId: ID @index(name: "byBlog", sortKeyFields: ["title"]) }"#;
        let schema = stratus_schema::parse_directive_sdl(sdl).unwrap();
        let spec = DataSpec {
            name: "d".into(),
            directive_sdl: sdl.into(),
            authorization_modes: serde_json::from_value(
                serde_json::json!({"default": "API_KEY", "additional": []}),
            )
            .unwrap(),
            schema,
            js_functions: vec![],
            lambda_functions: vec![],
            function_schema_access: vec![],
        };
        let tables = Tables::from_spec(&spec);
        let t = tables.data_source("PostTable").unwrap();
        assert_eq!(t.key, KeySchema::new("id", &[]));
        assert_eq!(t.index("postsByTitle"), Some(&KeySchema::new("title", &[])));
        assert_eq!(
            t.index("byBlog"),
            Some(&KeySchema::new("blogId", &["title"]))
        );
        assert!(tables.by_name("Post-abc123-NONE").is_some());
        assert!(tables.by_name("Post").is_some());
        assert!(tables.data_source("Post").is_none());
    }
}
