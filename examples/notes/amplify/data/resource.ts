import { type ClientSchema, a, defineData } from '@aws-amplify/backend';
import { wordCount } from '../functions/word-count/resource';

const schema = a.schema({
  Visibility: a.enum(['PRIVATE', 'PUBLIC']),

  Notebook: a
    .model({
      title: a.string().required(),
      notes: a.hasMany('Note', 'notebookId'),
    })
    .authorization((allow) => [allow.owner()]),

  Note: a
    .model({
      notebookId: a.id(),
      notebook: a.belongsTo('Notebook', 'notebookId'),
      title: a.string().required(),
      body: a.string(),
      visibility: a.ref('Visibility'),
      tags: a.string().array(),
      pinned: a.boolean().default(false),
    })
    .secondaryIndexes((index) => [index('notebookId').sortKeys(['title'])])
    .authorization((allow) => [
      allow.owner(),
      allow.authenticated().to(['read']),
      allow.group('Admins'),
    ]),

  WordCount: a.customType({
    words: a.integer().required(),
    characters: a.integer().required(),
  }),

  countWords: a
    .query()
    .arguments({ text: a.string().required() })
    .returns(a.ref('WordCount'))
    .handler(a.handler.function(wordCount))
    .authorization((allow) => [allow.authenticated()]),
});

export type Schema = ClientSchema<typeof schema>;

export const data = defineData({
  schema,
  authorizationModes: {
    defaultAuthorizationMode: 'userPool',
  },
});
