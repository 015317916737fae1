// Custom queries / mutations / subscriptions: arguments, return types, handlers, native auth,
// inherited custom-type auth, EventInvocationResponse, and their validation errors.
export default [
  {
    name: 'return-types',
    build: (a, t) => {
      const fn = t.fn('fn');
      const op = () => a.query().authorization((allow) => allow.publicApiKey()).handler(a.handler.function(fn));
      return a.schema({
        Color: a.enum(['R', 'G']),
        Box: a.customType({ w: a.float(), inner: a.customType({ d: a.integer() }), other: a.ref('Other') }),
        Other: a.customType({ o: a.string(), deeper: a.ref('Deeper') }),
        Deeper: a.customType({ z: a.boolean() }),
        Unused: a.customType({ u: a.string() }),
        scalar: op().returns(a.string()),
        scalarReq: op().returns(a.integer().required()),
        scalarArr: op().returns(a.string().array()),
        scalarArrReq: op().returns(a.string().required().array().required()),
        enumRef: op().returns(a.ref('Color')),
        enumRefArr: op().returns(a.ref('Color').array().required()),
        inlineEnum: op().returns(a.enum(['yes', 'no'])),
        boxRef: op().returns(a.ref('Box').required()),
        inlineType: op().returns(a.customType({ a: a.string(), nested: a.customType({ b: a.string() }), ref: a.ref('Deeper') })),
      });
    },
  },
  {
    name: 'arguments',
    build: (a, t) =>
      a.schema({
        Color: a.enum(['R', 'G']),
        Addr: a.customType({ street: a.string().required(), geo: a.ref('Geo'), kind: a.enum(['home', 'work']), color: a.ref('Color').required() }),
        Geo: a.customType({ lat: a.float(), lng: a.float(), addr: a.ref('Addr') }),
        q: a
          .query()
          .arguments({
            s: a.string().required(),
            n: a.integer().array(),
            d: a.string().default('x'),
            v: a.integer().validate((v) => v.gt(2)),
            color: a.ref('Color'),
            colorReq: a.ref('Color').required().array().required(),
            inlineEnum: a.enum(['up', 'down']),
            addr: a.ref('Addr').required(),
            addrs: a.ref('Addr').array(),
            geo: a.ref('Geo'),
            inline: a.customType({ x: a.integer(), mood: a.enum(['a', 'b']), sub: a.customType({ y: a.string(), e: a.enum(['c']) }), geo: a.ref('Geo') }),
          })
          .returns(a.string())
          .authorization((allow) => allow.authenticated())
          .handler(a.handler.function(t.fn('q'))),
        Plain: a.customType({ p: a.string(), color: a.ref('Color'), kind: a.enum(['k1', 'k2']) }),
        m: a
          .mutation()
          .arguments({ addr: a.ref('Addr'), plain: a.ref('Plain'), inline: a.customType({ z: a.string() }) })
          .returns(a.ref('Plain'))
          .authorization((allow) => allow.authenticated())
          .handler(a.handler.function('existingFn')),
      }),
  },
  {
    // the real builder recurses forever over cyclic custom types in a return type
    name: 'cyclic-return-type-overflows',
    build: (a, t) =>
      a.schema({
        A: a.customType({ b: a.ref('B') }),
        B: a.customType({ a: a.ref('A') }),
        q: a.query().returns(a.ref('A')).authorization((allow) => allow.authenticated()).handler(a.handler.function(t.fn('q'))),
      }),
  },
  {
    name: 'argument-ref-to-model',
    build: (a, t) =>
      a
        .schema({
          M: a.model({ n: a.string() }),
          q: a
            .query()
            .arguments({ m: a.ref('M') }) // blame:argument-ref-to-model
            .returns(a.string())
            .handler(a.handler.function(t.fn('q'))),
        })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'function-handlers',
    build: (a, t) => {
      const fnA = t.fn('fnA');
      const fnB = t.fn('fnB');
      return a
        .schema({
          single: a.query().returns(a.string()).handler(a.handler.function(fnA)),
          byName: a.query().returns(a.string()).handler(a.handler.function('legacy-name')),
          pipeline: a.query().returns(a.string()).handler([a.handler.function(fnA), a.handler.function('named'), a.handler.function(fnB)]),
          asyncOnly: a.mutation().handler(a.handler.function(fnA).async()),
          asyncLast: a.mutation().arguments({ x: a.id() }).handler([a.handler.function(fnA), a.handler.function(fnB).async()]),
          asyncThenReturns: a.mutation().handler(a.handler.function(fnB).async()).returns(a.string()),
          asyncByName: a.mutation().handler(a.handler.function('byName').async()).authorization((allow) => allow.guest()),
        })
        .authorization((allow) => [allow.authenticated(), allow.publicApiKey()]);
    },
  },
  {
    name: 'function-handler-invalid-value',
    build: (a) =>
      a
        .schema({
          q: a.query().returns(a.string()).handler(a.handler.function({ name: 'not a factory' })), // blame:function-handler-invalid-value
        })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'custom-handlers-native-auth',
    build: (a) =>
      a.schema({
        Thing: a.model({ n: a.string() }).authorization((allow) => allow.publicApiKey()),
        Res: a.customType({ ok: a.boolean(), nested: a.customType({ v: a.string() }) }),
        apiKey: a.query().returns(a.ref('Res')).authorization((allow) => allow.publicApiKey()).handler(a.handler.custom({ entry: './a.js' })),
        userPool: a.query().returns(a.string()).authorization((allow) => [allow.authenticated(), allow.authenticated('userPools')]).handler(a.handler.custom({ entry: './b.js', dataSource: 'MyHttpDs' })),
        oidc: a.query().returns(a.string()).authorization((allow) => allow.authenticated('oidc')).handler(a.handler.custom({ entry: '/abs/path/c.js' })),
        groups: a
          .mutation()
          .returns(a.ref('Res'))
          .authorization((allow) => [allow.group('A'), allow.groups(['B', 'C']), allow.group('A')])
          .handler(a.handler.custom({ entry: './d.js', dataSource: a.ref('Thing') })),
        groupsAndUser: a
          .mutation()
          .returns(a.string())
          .authorization((allow) => [allow.groups(['X']), allow.authenticated(), allow.custom()])
          .handler([a.handler.custom({ entry: './e1.js' }), a.handler.custom({ entry: './e2.js', dataSource: a.ref('Thing') })]),
        lambda: a.query().returns(a.string()).authorization((allow) => allow.custom('function')).handler(a.handler.custom({ entry: './f.js' })),
      }),
  },
  {
    name: 'custom-handler-guest',
    build: (a) =>
      a.schema({
        q: a
          .query()
          .returns(a.string())
          .authorization((allow) => allow.guest()) // blame:custom-handler-guest
          .handler(a.handler.custom({ entry: './a.js' })),
      }),
  },
  {
    name: 'custom-handler-identity-pool',
    build: (a) =>
      a.schema({
        q: a
          .query()
          .returns(a.string())
          .authorization((allow) => allow.authenticated('identityPool')) // blame:custom-handler-identity-pool
          .handler(a.handler.custom({ entry: './a.js' })),
      }),
  },
  {
    name: 'custom-handler-oidc-groups',
    build: (a) =>
      a.schema({
        q: a
          .query()
          .returns(a.string())
          .authorization((allow) => allow.groups(['G'], 'oidc')) // blame:custom-handler-oidc-groups
          .handler(a.handler.custom({ entry: './a.js' })),
      }),
  },
  {
    name: 'custom-handler-schema-fallback-auth',
    build: (a) =>
      a
        .schema({ q: a.query().returns(a.string()).handler(a.handler.custom({ entry: './a.js' })) })
        .authorization((allow) => [allow.publicApiKey(), allow.group('Admins', 'userPools')]),
  },
  {
    name: 'mixed-handler-kinds',
    build: (a, t) =>
      a
        .schema({
          q: a
            .query()
            .returns(a.string())
            .handler([a.handler.function(t.fn('fn')), a.handler.custom({ entry: './a.js' })]), // blame:mixed-handler-kinds
        })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'auth-without-handler',
    build: (a) =>
      a.schema({
        q: a
          .query() // blame:auth-without-handler
          .returns(a.string())
          .authorization((allow) => allow.publicApiKey()),
      }),
  },
  {
    name: 'schema-auth-without-handler',
    build: (a) =>
      a
        .schema({
          q: a.query().returns(a.string()), // blame:schema-auth-without-handler
        })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'handler-without-auth',
    build: (a, t) =>
      a.schema({
        q: a.query().returns(a.string()).handler(a.handler.function(t.fn('fn'))), // blame:handler-without-auth
      }),
  },
  {
    name: 'no-handler-no-auth',
    build: (a) => a.schema({ q: a.query().returns(a.string()) }),
  },
  {
    name: 'missing-return-type',
    build: (a, t) =>
      a
        .schema({
          m: a.mutation().handler(a.handler.function(t.fn('fn'))), // blame:missing-return-type
        })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'for-on-query',
    build: (a, t) =>
      a
        .schema({
          m: a.mutation().returns(a.string()).handler(a.handler.function(t.fn('fn'))),
          q: a.query().returns(a.string()).for(a.ref('m')).handler(a.handler.function(t.fn('fn'))), // blame:for-on-query
        })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'unrecognized-return-type',
    build: (a, t) =>
      a
        .schema({
          q: a.query().returns({ nonsense: true }).handler(a.handler.function(t.fn('fn'))), // blame:unrecognized-return-type
        })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'return-ref-undefined',
    build: (a, t) =>
      a
        .schema({
          q: a.query().returns(a.ref('Missing')).handler(a.handler.function(t.fn('fn'))), // blame:return-ref-undefined
        })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'inherited-auth-merging',
    build: (a, t) =>
      a.schema({
        Shared: a.customType({ v: a.string(), child: a.ref('Child') }),
        Child: a.customType({ c: a.string() }),
        q1: a.query().returns(a.ref('Shared')).authorization((allow) => [allow.publicApiKey()]).handler(a.handler.function(t.fn('f1'))),
        q2: a.query().returns(a.ref('Shared')).authorization((allow) => [allow.authenticated(), allow.groups(['G'])]).handler(a.handler.function(t.fn('f2'))),
        q3: a.query().returns(a.ref('Child')).authorization((allow) => [allow.authenticated('oidc'), allow.custom()]).handler(a.handler.function(t.fn('f3'))),
        q4: a.query().returns(a.ref('Child')).authorization((allow) => [allow.guest(), allow.authenticated('identityPool')]).handler(a.handler.function(t.fn('f4'))),
      }),
  },
  {
    name: 'subscriptions',
    build: (a) =>
      a.schema({
        Msg: a.customType({ text: a.string() }),
        Room: a.model({ name: a.string() }).authorization((allow) => allow.authenticated()),
        room: a.model({ n: a.string() }).authorization((allow) => allow.authenticated()),
        send: a.mutation().returns(a.ref('Msg')).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './send.js' })),
        send2: a.mutation().returns(a.ref('Msg')).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './send.js' })),
        inlineRet: a.mutation().returns(a.customType({ z: a.string() })).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './send.js' })),
        scalarRet: a.mutation().returns(a.string().required()).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './send.js' })),
        onSend: a.subscription().for(a.ref('send')).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './sub.js' })),
        onBoth: a.subscription().for([a.ref('send'), a.ref('send2')]).arguments({ text: a.string() }).authorization((allow) => [allow.publicApiKey(), allow.groups(['G'])]).handler(a.handler.custom({ entry: './sub.js' })),
        onInline: a.subscription().for(a.ref('inlineRet')).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './sub.js' })),
        onScalar: a.subscription().for(a.ref('scalarRet')).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './sub.js' })),
        onRoom: a.subscription().for(a.ref('Room').mutations(['create', 'update', 'delete'])).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './sub.js' })),
        onLower: a.subscription().for(a.ref('room').mutations(['delete'])).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './sub.js' })),
      }),
  },
  {
    name: 'subscription-without-source',
    build: (a) =>
      a.schema({
        s: a.subscription().authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './s.js' })), // blame:subscription-without-source
      }),
  },
  {
    name: 'subscription-mutations-on-operation',
    build: (a) =>
      a.schema({
        m: a.mutation().returns(a.string()).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './m.js' })),
        s: a.subscription().for(a.ref('m').mutations(['create'])).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './s.js' })), // blame:subscription-mutations-on-operation
      }),
  },
  {
    name: 'subscription-model-without-mutations',
    build: (a) =>
      a.schema({
        M: a.model({ n: a.string() }).authorization((allow) => allow.authenticated()),
        s: a.subscription().for(a.ref('M')).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './s.js' })), // blame:subscription-model-without-mutations
      }),
  },
  {
    name: 'subscription-for-query',
    build: (a) =>
      a.schema({
        q: a.query().returns(a.string()).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './m.js' })),
        s: a.subscription().for(a.ref('q')).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './s.js' })), // blame:subscription-for-query
      }),
  },
  {
    name: 'subscription-different-return-types',
    build: (a) =>
      a.schema({
        A: a.customType({ a: a.string() }),
        B: a.customType({ b: a.string() }),
        m1: a.mutation().returns(a.ref('A')).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './m.js' })),
        m2: a.mutation().returns(a.ref('B')).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './m.js' })),
        s: a.subscription().for([a.ref('m1'), a.ref('m2')]).authorization((allow) => allow.authenticated()).handler(a.handler.custom({ entry: './s.js' })), // blame:subscription-different-return-types
      }),
  },
  {
    name: 'generation',
    build: (a) =>
      a
        .schema({
          Recipe: a.customType({ name: a.string(), steps: a.string().array() }),
          plain: a.generation({ aiModel: a.ai.model('Claude 3 Haiku'), systemPrompt: 'Be brief.' }).arguments({ q: a.string() }).returns(a.ref('Recipe')),
          configured: a
            .generation({
              aiModel: a.ai.model('Amazon Nova Pro'),
              systemPrompt: 'Line one\nLine two\r\nLine three',
              inferenceConfiguration: { maxTokens: 100, topP: 0.5, temperature: 0.1 },
            })
            .returns(a.customType({ answer: a.string(), sub: a.customType({ s: a.integer() }) }))
            .authorization((allow) => [allow.authenticated(), allow.groups(['Chefs'])]),
          custom: a.generation({ aiModel: { resourcePath: 'my.model-v1' }, systemPrompt: 'x', inferenceConfiguration: {} }).returns(a.string()),
        })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'generation-without-return-type',
    build: (a) =>
      a.schema({
        g: a.generation({ aiModel: a.ai.model('Claude 3 Haiku'), systemPrompt: 'x' }), // blame:generation-without-return-type
      }),
  },
  {
    name: 'generation-invalid-input',
    build: (a) =>
      a.schema({
        g: a.generation({ aiModel: a.ai.model('Claude 3 Haiku') }).returns(a.string()), // blame:generation-invalid-input
      }),
  },
  {
    name: 'conversations',
    build: (a, t) =>
      a
        .schema({
          Item: a.model({ n: a.string() }),
          search: a.query().returns(a.string()).handler(a.handler.function(t.fn('search'))),
          chat: a
            .conversation({ aiModel: a.ai.model('Claude 3.5 Sonnet'), systemPrompt: 'You help.\nAlways.' })
            .authorization((allow) => allow.owner()),
          chat2: a
            .conversation({
              aiModel: a.ai.model('Claude 3 Haiku'),
              systemPrompt: 'Tools!',
              inferenceConfiguration: { topP: 0.9, temperature: 0.3, maxTokens: 50 },
              handler: t.conversationHandler('chatHandler', '1.0'),
              tools: [
                a.ai.dataTool({ name: 'listItems', description: 'lists items', model: a.ref('Item'), modelOperation: 'list' }),
                a.ai.dataTool({ name: 'search_it', description: 'searches', query: a.ref('search') }),
              ],
            })
            .authorization((allow) => [allow.owner()]),
        })
        .authorization((allow) => allow.authenticated()),
  },
  {
    name: 'conversation-without-auth',
    build: (a) =>
      a.schema({
        chat: a.conversation({ aiModel: a.ai.model('Claude 3 Haiku'), systemPrompt: 'x' }), // blame:conversation-without-auth
      }),
  },
  {
    name: 'conversation-invalid-tool-name',
    build: (a) =>
      a.schema({
        M: a.model({ n: a.string() }).authorization((allow) => allow.authenticated()),
        chat: a
          .conversation({ aiModel: a.ai.model('Claude 3 Haiku'), systemPrompt: 'x', tools: [a.ai.dataTool({ name: '1bad', description: 'd', model: a.ref('M'), modelOperation: 'list' })] }) // blame:conversation-invalid-tool-name
          .authorization((allow) => allow.owner()),
      }),
  },
];
