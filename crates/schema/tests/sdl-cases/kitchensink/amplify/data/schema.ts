import { a, defineFunction } from '@aws-amplify/backend';
const fnA = defineFunction({ name: 'fnA', entry: '../functions/echo/handler.ts' });
const fnB = defineFunction({ name: 'fnB', entry: '../functions/echo/handler.ts' });

export const schema = a.schema({
  Status: a.enum(['ACTIVE', 'ARCHIVED']),
  Address: a.customType({ street: a.string(), zip: a.string().required(), tags: a.string().array() }),
  Customer: a
    .model({
      tenantId: a.string().required(),
      email: a.email().required(),
      phone: a.phone(),
      site: a.url(),
      ip: a.ipAddress(),
      born: a.date(),
      alarm: a.time(),
      seen: a.timestamp(),
      meta: a.json(),
      score: a.float().validate((v) => v.gte(0).lte(100)),
      visits: a.integer().default(0),
      status: a.ref('Status').required(),
      address: a.ref('Address'),
      inlineAddr: a.customType({ line1: a.string() }),
      inlineEnum: a.enum(['X', 'Y']),
      labels: a.string().required().array().required(),
      editors: a.string().array(),
      groupName: a.string(),
      groupList: a.string().array(),
      secretNote: a.string(),
      cart: a.hasOne('Cart', ['tenantId', 'email']),
    })
    .identifier(['tenantId', 'email'])
    .secondaryIndexes((index) => [
      index('status').name('byStatus').sortKeys(['seen']).projection('KEYS_ONLY'),
      index('phone').queryField(null),
      index('site').projection('INCLUDE', ['email']),
    ])
    .disableOperations(['onDelete', 'delete', 'subscriptions'])
    .authorization((allow) => [
      allow.ownersDefinedIn('editors').identityClaim('sub'),
      allow.groupDefinedIn('groupName'),
      allow.groupsDefinedIn('groupList').withClaimIn('custom:groups'),
      allow.groups(['Admins', 'Ops'], 'oidc').to(['create', 'update', 'delete', 'get', 'list', 'listen', 'sync', 'search']),
      allow.authenticated('identityPool'),
      allow.authenticated('oidc').to(['read']),
      allow.custom(),
      allow.owner('oidc'),
    ]),
  Cart: a.model({
    tenantId: a.string(),
    email: a.email(),
    customer: a.belongsTo('Customer', ['tenantId', 'email']),
  }).authorization((allow) => [allow.ownerDefinedIn('email')]),

  Message: a.customType({ channel: a.string().required(), text: a.string() }),
  publish: a.mutation()
    .arguments({ channel: a.string().required(), text: a.string(), addr: a.ref('Address'), mood: a.enum(['happy', 'sad']), nested: a.customType({ x: a.integer() }) })
    .returns(a.ref('Message'))
    .authorization((allow) => [allow.authenticated(), allow.group('Admins'), allow.groups(['Ops'])])
    .handler(a.handler.custom({ entry: './publish.js' })),
  receive: a.subscription()
    .for(a.ref('publish'))
    .arguments({ channel: a.string() })
    .authorization((allow) => [allow.authenticated()])
    .handler(a.handler.custom({ entry: './receive.js' })),
  onCustomerChange: a.subscription()
    .for([a.ref('Customer').mutations(['create', 'update'])])
    .authorization((allow) => [allow.authenticated()])
    .handler(a.handler.custom({ entry: './receive.js' })),
  likeCustomer: a.mutation()
    .arguments({ email: a.email().required() })
    .returns(a.ref('Customer'))
    .authorization((allow) => [allow.authenticated()])
    .handler(a.handler.custom({ dataSource: a.ref('Customer'), entry: './like.js' })),
  pipeline: a.query()
    .returns(a.string())
    .authorization((allow) => [allow.custom()])
    .handler([a.handler.function(fnA), a.handler.function(fnB)]),
  fireAndForget: a.mutation()
    .arguments({ id: a.id() })
    .authorization((allow) => [allow.guest()])
    .handler(a.handler.function(fnA).async()),
  byName: a.query()
    .returns(a.string().array())
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.function('legacyFunctionName')),
  inlineRet: a.query()
    .returns(a.customType({ ok: a.boolean() }))
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.function(fnB)),
  makeRecipe: a.generation({
      aiModel: a.ai.model('Claude 3.5 Haiku'),
      systemPrompt: 'You are a chef.\nBe terse.',
      inferenceConfiguration: { temperature: 0.2, maxTokens: 1000, topP: 0.9 },
    })
    .arguments({ ingredients: a.string().array() })
    .returns(a.customType({ name: a.string(), steps: a.string().array() }))
    .authorization((allow) => allow.authenticated()),
  chat: a.conversation({
      aiModel: a.ai.model('Claude 3 Haiku'),
      systemPrompt: 'You are helpful',
      tools: [
        a.ai.dataTool({ name: 'list_customers', description: 'lists customers', model: a.ref('Customer'), modelOperation: 'list' }),
        a.ai.dataTool({ name: 'echo_tool', description: 'pipeline', query: a.ref('pipeline') }),
      ],
    })
    .authorization((allow) => allow.owner()),
}).authorization((allow) => [allow.publicApiKey(), allow.resource(fnA), allow.resource(fnB).to(['query', 'listen'])]);
