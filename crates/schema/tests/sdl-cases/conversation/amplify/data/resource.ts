import { type ClientSchema, a, defineData } from '@aws-amplify/backend';
const schema = a.schema({
  Customer: a.model({ name: a.string() }).authorization((allow) => [allow.owner()]),
  chat: a.conversation({
    aiModel: a.ai.model('Claude 3 Haiku'),
    systemPrompt: 'You are helpful',
    tools: [a.ai.dataTool({ name: 'list_customers', description: 'lists customers', model: a.ref('Customer'), modelOperation: 'list' })],
  }).authorization((allow) => allow.owner()),
  makeRecipe: a.generation({ aiModel: a.ai.model('Claude 3 Haiku'), systemPrompt: 'You are a chef' })
    .arguments({ ingredients: a.string().array() })
    .returns(a.customType({ name: a.string(), steps: a.string().array() }))
    .authorization((allow) => allow.authenticated()),
});
export type Schema = ClientSchema<typeof schema>;
export const data = defineData({ schema });
