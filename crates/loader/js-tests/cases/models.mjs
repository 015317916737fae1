// Model modifiers: identifier, secondaryIndexes, disableOperations, authorization; schema-level
// fallback; relationships and their validation.
const pub = (allow) => [allow.publicApiKey()];

export default [
  {
    name: 'identifiers',
    build: (a) =>
      a
        .schema({
          One: a.model({ key: a.string().required(), v: a.string() }).identifier(['key']),
          Composite: a
            .model({ pk: a.id().required(), sk1: a.integer().required(), sk2: a.datetime().required() })
            .identifier(['pk', 'sk1', 'sk2']),
          IdType: a.model({ myId: a.id(), name: a.string() }).identifier(['myId']),
          Plain: a.model({ id: a.id().required(), name: a.string() }),
          ArrayPk: a.model({ pk: a.string().required().array().default('x').validate((v) => v.minLength(1)) }).identifier(['pk']),
        })
        .authorization(pub),
  },
  {
    name: 'identifier-nullable',
    build: (a) =>
      a
        .schema({
          T: a.model({
            key: a.string(),
          }).identifier(['key']), // blame:identifier-nullable
        })
        .authorization(pub),
  },
  {
    name: 'secondary-indexes',
    build: (a) =>
      a
        .schema({
          Status: a.enum(['A', 'B']),
          T: a
            .model({
              a1: a.string(),
              b1: a.integer(),
              c1: a.datetime(),
              st: a.ref('Status'),
              kind: a.enum(['x', 'y']),
              d1: a.string().required().validate((v) => v.maxLength(3)),
            })
            .secondaryIndexes((index) => [
              index('a1'),
              index('a1').sortKeys(['b1', 'c1']),
              index('b1').name('byB').queryField('qb'),
              index('c1').queryField(null),
              index('st').sortKeys(['c1']).projection('KEYS_ONLY'),
              index('kind').projection('INCLUDE', ['a1', 'b1']),
              index('d1').projection('INCLUDE'),
              index('d1').projection('ALL').name('allProj'),
              index('a1').name('named'),
            ]),
        })
        .authorization(pub),
  },
  {
    name: 'secondary-index-on-identifier-field',
    build: (a) =>
      a
        .schema({
          T: a
            .model({ pk: a.string().required(), other: a.string() })
            .identifier(['pk'])
            .secondaryIndexes((index) => [index('pk').sortKeys(['other'])]),
        })
        .authorization(pub),
  },
  {
    name: 'secondary-index-ref-not-enum',
    build: (a) =>
      a
        .schema({
          C: a.customType({ x: a.string() }),
          T: a
            .model({ c: a.ref('C') })
            .secondaryIndexes((index) => [index('c')]), // blame:secondary-index-ref-not-enum
        })
        .authorization(pub),
  },
  {
    name: 'disable-operations',
    build: (a) =>
      a
        .schema({
          A: a.model({ n: a.string() }).disableOperations(['queries']),
          B: a.model({ n: a.string() }).disableOperations(['list', 'get', 'onCreate']),
          C: a.model({ n: a.string() }).disableOperations(['create', 'mutations', 'update']),
          D: a.model({ n: a.string() }).disableOperations(['onDelete', 'subscriptions', 'delete']),
          E: a.model({ n: a.string() }).disableOperations(['queries', 'mutations', 'subscriptions']),
          F: a.model({ n: a.string() }).disableOperations([]),
          G: a.model({ n: a.string() }).disableOperations(['onCreate', 'onUpdate', 'update']),
        })
        .authorization(pub),
  },
  {
    name: 'model-auth-rules',
    build: (a) =>
      a.schema({
        T: a
          .model({ tenant: a.string(), groupsList: a.string().array(), editors: a.string().array() })
          .authorization((allow) => [
            allow.publicApiKey().to(['read', 'create']),
            allow.guest().to(['get', 'list']),
            allow.authenticated(),
            allow.authenticated('userPools').to(['update']),
            allow.authenticated('oidc'),
            allow.authenticated('identityPool').to(['delete']),
            allow.owner().identityClaim('sub').to(['read']),
            allow.owner('oidc').to(['listen', 'sync', 'search']),
            allow.owner('userPools'),
            allow.ownerDefinedIn('tenant').identityClaim('custom:tenant'),
            allow.ownersDefinedIn('editors', 'oidc'),
            allow.group('Admins'),
            allow.group('Ops', 'oidc').withClaimIn('groups').to(['read']),
            allow.groups(['A', 'B']).withClaimIn('cognito:groups'),
            allow.groupDefinedIn('tenant'),
            allow.groupsDefinedIn('groupsList', 'oidc').withClaimIn('x').to(['create']),
            allow.custom(),
            allow.custom('function').to(['read']),
          ]),
      }),
  },
  {
    name: 'single-rule-not-array',
    build: (a) =>
      a.schema({
        T: a.model({ n: a.string() }).authorization((allow) => allow.owner()),
      }),
  },
  {
    name: 'schema-level-fallback',
    build: (a, t) =>
      a
        .schema({
          Own: a.model({ n: a.string() }).authorization((allow) => [allow.owner()]),
          Inherit: a.model({ n: a.string() }),
        })
        .authorization((allow) => [allow.authenticated(), allow.resource(t.fn('fnA')), allow.resource(t.fn('fnB')).to(['query', 'listen'])]),
  },
  {
    name: 'schema-level-single-rule',
    build: (a) => a.schema({ T: a.model({ n: a.string() }) }).authorization((allow) => allow.guest()),
  },
  {
    name: 'model-without-auth',
    build: (a) =>
      a.schema({
        T: a.model({ n: a.string() }), // blame:model-without-auth
      }),
  },
  {
    name: 'multiline-model-without-auth',
    build: (a) =>
      a.schema({
        Todo: a
          .model({ // blame:multiline-model-without-auth
            content: a.string().required(), // blame-qjs:multiline-model-without-auth
            done: a.boolean(),
            // a comment

            priority: a.enum(['low', 'high']),
            tags: a.string().array(),
          }),
      }),
  },
  {
    name: 'shared-fields-model-without-auth',
    build: (a) => {
      const audit = { createdBy: a.string(), reviewedBy: a.string() };
      // (more than NESTED_GAP lines between the shared fields and the model)
      //
      //
      //
      //
      //
      //
      //
      //
      //
      return a.schema({
        Doc: a
          .model({ // blame:shared-fields-model-without-auth
            ...audit,
            title: a.string(), // blame-qjs:shared-fields-model-without-auth
          }),
      });
    },
  },
  {
    name: 'model-without-auth-only-resource-rule',
    build: (a, t) =>
      a
        .schema({
          T: a.model({ n: a.string() }), // blame:model-without-auth-only-resource-rule
        })
        .authorization((allow) => [allow.resource(t.fn('fn'))]),
  },
  {
    name: 'invalid-provider-authenticated',
    build: (a) =>
      a.schema({
        T: a.model({ n: a.string() }).authorization((allow) => [
          allow.authenticated('apiKey'), // blame:invalid-provider-authenticated
        ]),
      }),
  },
  {
    name: 'invalid-provider-owner',
    build: (a) =>
      a.schema({
        T: a.model({ n: a.string() }).authorization((allow) => [
          allow.ownerDefinedIn('x', 'identityPool'), // blame:invalid-provider-owner
        ]),
      }),
  },
  {
    name: 'relationships',
    build: (a) =>
      a
        .schema({
          Blog: a.model({
            name: a.string(),
            posts: a.hasMany('Post', 'blogId').valueRequired(),
            meta: a.hasOne('Meta', 'blogId').required(),
          }),
          Meta: a.model({ blogId: a.id(), blog: a.belongsTo('Blog', 'blogId') }),
          Post: a
            .model({
              blogId: a.string(),
              blog: a.belongsTo('Blog', 'blogId').authorization((allow) => [allow.owner()]),
              slug: a.string().required(),
              day: a.date().required(),
              comments: a.hasMany('Comment', ['postSlug', 'postDay']).authorization((allow) => allow.authenticated()),
            })
            .identifier(['slug', 'day']),
          Comment: a.model({
            postSlug: a.id(),
            postDay: a.date(),
            post: a.belongsTo('Post', ['postSlug', 'postDay']),
          }),
        })
        .authorization(pub),
  },
  {
    name: 'relationship-missing-counterpart',
    build: (a) =>
      a
        .schema({
          Blog: a.model({
            posts: a.hasMany('Post', 'blogId'), // blame:relationship-missing-counterpart
          }),
          Post: a.model({ blogId: a.id() }),
        })
        .authorization(pub),
  },
  {
    name: 'relationship-belongsto-without-parent',
    build: (a) =>
      a
        .schema({
          Blog: a.model({ name: a.string() }),
          Post: a.model({
            blogId: a.id(),
            blog: a.belongsTo('Blog', 'blogId'), // blame:relationship-belongsto-without-parent
          }),
        })
        .authorization(pub),
  },
  {
    name: 'relationship-references-differ',
    build: (a) =>
      a
        .schema({
          Blog: a.model({
            posts: a.hasMany('Post', 'blogId'), // blame:relationship-references-differ
          }),
          Post: a.model({ blogId: a.id(), otherId: a.id(), blog: a.belongsTo('Blog', 'otherId') }),
        })
        .authorization(pub),
  },
  {
    name: 'relationship-missing-reference-field',
    build: (a) =>
      a
        .schema({
          Blog: a.model({
            posts: a.hasMany('Post', 'blogId'), // blame:relationship-missing-reference-field
          }),
          Post: a.model({ blog: a.belongsTo('Blog', 'blogId') }),
        })
        .authorization(pub),
  },
  {
    name: 'relationship-arity-mismatch',
    build: (a) =>
      a
        .schema({
          Blog: a.model({
            posts: a.hasMany('Post', ['a', 'b']), // blame:relationship-arity-mismatch
          }),
          Post: a.model({ a: a.id(), b: a.id(), blog: a.belongsTo('Blog', ['a', 'b']) }),
        })
        .authorization(pub),
  },
  {
    name: 'relationship-type-mismatch',
    build: (a) =>
      a
        .schema({
          Blog: a.model({
            posts: a.hasMany('Post', 'blogId'), // blame:relationship-type-mismatch
          }),
          Post: a.model({ blogId: a.integer(), blog: a.belongsTo('Blog', 'blogId') }),
        })
        .authorization(pub),
  },
  {
    name: 'relationship-multiple-associations',
    build: (a) =>
      a
        .schema({
          Blog: a.model({
            posts: a.hasMany('Post', 'blogId'), // blame:relationship-multiple-associations
          }),
          Post: a.model({
            blogId: a.id(),
            blog: a.belongsTo('Blog', 'blogId'),
            blog2: a.belongsTo('Blog', 'blogId'),
          }),
        })
        .authorization(pub),
  },
  {
    name: 'relationship-to-custom-type',
    build: (a) =>
      a
        .schema({
          C: a.customType({ x: a.string() }),
          Blog: a.model({
            c: a.hasOne('C', 'x'), // blame:relationship-to-custom-type
          }),
        })
        .authorization(pub),
  },
  {
    name: 'relationship-to-undefined-model',
    build: (a) =>
      a
        .schema({
          Blog: a.model({
            c: a.hasMany('Nope', 'x'), // blame:relationship-to-undefined-model
          }),
        })
        .authorization(pub),
  },
];
