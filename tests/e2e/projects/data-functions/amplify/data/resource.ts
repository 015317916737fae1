import { type ClientSchema, a, defineData } from '@aws-amplify/backend';
import { audit } from '../functions/audit/resource';
import { authorizer } from '../functions/authorizer/resource';
import { counter } from '../functions/counter/resource';
import { echo } from '../functions/echo/resource';
import { fail } from '../functions/fail/resource';
import { post } from '../functions/post/resource';
import { teamContext } from '../functions/team-context/resource';
import { whoami } from '../functions/whoami/resource';

const schema = a.schema({
  Message: a.customType({
    channel: a.string().required(),
    body: a.string().required(),
    author: a.string(),
  }),

  // Scalar in, scalar out; the API key or a signed-in user.
  echo: a
    .query()
    .arguments({ msg: a.string().required(), times: a.integer() })
    .returns(a.string())
    .authorization((allow) => [allow.publicApiKey(), allow.authenticated()])
    .handler(a.handler.function(echo)),

  // What the handler saw of the caller and of the call.
  whoami: a
    .query()
    .returns(
      a.customType({
        sub: a.string(),
        username: a.string(),
        tokenUse: a.string(),
        typeName: a.string(),
        fieldName: a.string(),
        userAgent: a.string(),
      }),
    )
    .authorization((allow) => [allow.authenticated()])
    .handler(a.handler.function(whoami)),

  // A handler that throws.
  fail: a
    .mutation()
    .arguments({ reason: a.string().required() })
    .returns(a.string())
    .authorization((allow) => [allow.authenticated()])
    .handler(a.handler.function(fail)),

  // A pipeline: post builds the message, audit (async) records it.
  post: a
    .mutation()
    .arguments({ channel: a.string().required(), body: a.string().required() })
    .returns(a.ref('Message'))
    .authorization((allow) => [allow.authenticated()])
    .handler(a.handler.function(post)),

  postAndAudit: a
    .mutation()
    .arguments({ channel: a.string().required(), body: a.string().required() })
    .authorization((allow) => [allow.authenticated()])
    .handler([a.handler.function(post), a.handler.function(audit).async()]),

  onPost: a
    .subscription()
    .for(a.ref('post'))
    .arguments({ channel: a.string() })
    .authorization((allow) => [allow.authenticated()])
    .handler(a.handler.custom({ entry: './onPost.js' })),

  // The Lambda authorizer's callers (allow.custom()).
  TeamNote: a
    .model({ text: a.string().required(), secret: a.string() })
    .authorization((allow) => [allow.custom()]),

  teamContext: a
    .query()
    .returns(a.json())
    .authorization((allow) => [allow.custom()])
    .handler(a.handler.function(teamContext)),

  // A function that calls this API itself, signed with its own credentials.
  teamNoteCount: a
    .query()
    .returns(a.customType({ count: a.integer(), writeError: a.string() }))
    .authorization((allow) => [allow.authenticated()])
    .handler(a.handler.function(counter)),
}).authorization((allow) => [allow.resource(counter).to(['query'])]);

export type Schema = ClientSchema<typeof schema>;

export const data = defineData({
  schema,
  authorizationModes: {
    defaultAuthorizationMode: 'userPool',
    apiKeyAuthorizationMode: { expiresInDays: 7 },
    lambdaAuthorizationMode: { function: authorizer, timeToLiveInSeconds: 60 },
  },
});
