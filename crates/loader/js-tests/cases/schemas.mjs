// Schema-level API: a.combine, SQL schemas (configure(...).schema, addToSchema, renameModels,
// setRelationships, setAuthorization, inlineSql / sqlReference), transform() idempotence.
const sqlConfig = (t, engine = 'postgresql') => ({
  database: { engine, connectionUri: t.secret('SQL_CONNECTION_STRING') },
});

export default [
  {
    name: 'combine',
    build: (a, t) => {
      const s1 = a
        .schema({
          Post: a.model({ title: a.string(), status: a.ref('Status') }),
          Status: a.enum(['A', 'B']),
          Shared: a.customType({ s: a.string() }),
        })
        .authorization((allow) => [allow.publicApiKey(), allow.resource(t.fn('f1'))]);
      const s2 = a
        .schema({
          Note: a.model({ body: a.string(), status: a.ref('Status') }).authorization((allow) => allow.owner()),
          getShared: a
            .query()
            .arguments({ st: a.ref('Status') })
            .returns(a.string())
            .authorization((allow) => allow.authenticated())
            .handler(a.handler.custom({ entry: './get.js' })),
          fire: a.mutation().handler(a.handler.function(t.fn('f2')).async()).authorization((allow) => allow.publicApiKey()),
        });
      return a.combine([s1, s2]);
    },
  },
  {
    // the real builder crashes (destructures undefined) when an operation returns a custom type of
    // another combined schema
    name: 'combine-cross-schema-return-type',
    build: (a) => {
      const s1 = a.schema({ Shared: a.customType({ s: a.string() }) });
      const s2 = a.schema({
        getShared: a.query().returns(a.ref('Shared')).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './get.js' })),
      });
      return a.combine([s1, s2]);
    },
  },
  {
    name: 'combine-name-collision',
    build: (a) => {
      const s1 = a.schema({ Post: a.model({ t: a.string() }), X: a.enum(['a']) });
      const s2 = a.schema({ Post: a.model({ t: a.string() }), X: a.enum(['b']), Y: a.enum(['c']) });
      return a.combine([s1, s2]); // blame:combine-name-collision
    },
  },
  {
    name: 'transform-twice',
    build: (a, t) => {
      const s = a
        .schema({ m: a.mutation().handler(a.handler.function(t.fn('f')).async()) })
        .authorization((allow) => allow.publicApiKey());
      s.transform();
      return s;
    },
  },
  {
    name: 'sql-schema',
    build: (a, t) =>
      t
        .configure(sqlConfig(t))
        .schema({
          posts: a
            .model({
              post_id: a.integer().required().default(),
              title: a.string(),
              author_id: a.integer(),
              owner: a.string(),
            })
            .identifier(['post_id']),
          authors: a.model({ id: a.integer().required(), name: a.string().required() }),
          tags: a.model({ tag: a.string().required(), post_id: a.integer().required() }).identifier(['tag', 'post_id']),
        })
        .renameModels(() => [
          ['posts', 'Post'],
          ['authors', 'Author'],
        ])
        .setRelationships((models) => [
          models.Post.relationships({ author: a.belongsTo('Author', 'author_id') }),
          models.Author.relationships({ posts: a.hasMany('Post', 'author_id') }),
        ])
        .setAuthorization((models, schema) => [
          schema.authorization((allow) => allow.publicApiKey()),
          models.Post.authorization((allow) => [allow.owner(), allow.authenticated().to(['read'])]),
          models.Post.disableOperations(['delete', 'onCreate']),
        ])
        .addToSchema({
          countPosts: a.query().returns(a.integer()).handler(a.handler.inlineSql('SELECT COUNT(*) FROM "posts" WHERE x = \'y\'')).authorization((allow) => allow.publicApiKey()),
          fromFile: a.query().returns(a.json()).handler(a.handler.sqlReference('./q.sql')).authorization((allow) => allow.authenticated()),
          fromAbsFile: a.mutation().returns(a.json()).handler(a.handler.sqlReference('/abs/q.sql')).authorization((allow) => allow.authenticated()),
          Summary: a.customType({ n: a.integer() }),
        }),
  },
  {
    name: 'sql-mysql-add-deprecated',
    build: (a, t) =>
      t
        .configure(sqlConfig(t, 'mysql'))
        .schema({ items: a.model({ id: a.integer().required(), name: a.string() }) })
        .addQueries({ q: a.query().returns(a.string()).handler(a.handler.inlineSql('SELECT 1')).authorization((allow) => allow.publicApiKey()) })
        .addMutations({ m: a.mutation().returns(a.string()).handler(a.handler.inlineSql('UPDATE x')).authorization((allow) => allow.publicApiKey()) })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'sql-implied-field-not-defined',
    build: (a, t) =>
      t
        .configure(sqlConfig(t))
        .schema({
          items: a.model({ id: a.integer().required() }).authorization((allow) => allow.owner()), // blame:sql-implied-field-not-defined
        }),
  },
  {
    name: 'sql-generated-on-string',
    build: (a, t) =>
      t
        .configure(sqlConfig(t))
        .schema({
          items: a.model({
            id: a.string().required().default(), // blame:sql-generated-on-string
          }),
        })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'sql-generated-on-mysql',
    build: (a, t) =>
      t
        .configure(sqlConfig(t, 'mysql'))
        .schema({
          items: a.model({
            id: a.integer().required().default(), // blame:sql-generated-on-mysql
          }),
        })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'sql-add-model',
    build: (a, t) =>
      t
        .configure(sqlConfig(t))
        .schema({ items: a.model({ id: a.integer().required() }) })
        .addToSchema({ Other: a.model({ x: a.string() }) }), // blame:sql-add-model
  },
  {
    name: 'sql-rename-unknown',
    build: (a, t) =>
      t
        .configure(sqlConfig(t))
        .schema({ items: a.model({ id: a.integer().required() }) })
        .renameModels(() => [['nope', 'Nope']]),
  },
  {
    name: 'inline-sql-on-dynamodb',
    build: (a) =>
      a
        .schema({ q: a.query().returns(a.string()).handler(a.handler.inlineSql('SELECT 1')) })
        .authorization((allow) => allow.publicApiKey()),
  },
];
