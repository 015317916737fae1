import { type ClientSchema, a, defineData } from '@aws-amplify/backend';

const schema = a.schema({
  Post: a
    .model({
      title: a.string().required(),
      author: a.string(),
      likes: a.integer(),
    })
    .secondaryIndexes((index) => [index('author').sortKeys(['title']).name('byAuthor')])
    .authorization((allow) => [allow.publicApiKey()]),

  EchoResponse: a.customType({
    content: a.string(),
    executionDuration: a.float(),
  }),

  echo: a
    .query()
    .arguments({ content: a.string() })
    .returns(a.ref('EchoResponse'))
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.custom({ entry: './echo.js' })),

  likePost: a
    .mutation()
    .arguments({ postId: a.id().required() })
    .returns(a.ref('Post'))
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.custom({ dataSource: a.ref('Post'), entry: './increment-like.js' })),

  postsByAuthor: a
    .query()
    .arguments({ author: a.string().required(), minLikes: a.integer() })
    .returns(a.ref('Post').array())
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.custom({ dataSource: a.ref('Post'), entry: './posts-by-author.ts' })),

  signPost: a
    .mutation()
    .arguments({ title: a.string().required() })
    .returns(a.ref('Post'))
    .authorization((allow) => [allow.authenticated()])
    .handler(a.handler.custom({ dataSource: a.ref('Post'), entry: './sign-post.js' })),

  failing: a
    .query()
    .arguments({ reason: a.string().required() })
    .returns(a.string())
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.custom({ entry: './fail.js' })),

  Message: a.customType({
    channelName: a.string().required(),
    content: a.string(),
  }),

  publish: a
    .mutation()
    .arguments({ channelName: a.string().required(), content: a.string() })
    .returns(a.ref('Message'))
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.custom({ entry: './publish.js' })),

  receive: a
    .subscription()
    .for(a.ref('publish'))
    .arguments({ namePrefix: a.string() })
    .authorization((allow) => [allow.publicApiKey()])
    .handler(a.handler.custom({ entry: './receive.js' })),
});

export type Schema = ClientSchema<typeof schema>;

export const data = defineData({
  schema,
  authorizationModes: {
    defaultAuthorizationMode: 'apiKey',
    apiKeyAuthorizationMode: { expiresInDays: 30 },
  },
});
