// a.ai.model, a.ai.dataTool and a.conversation (AI kit routes), and the @conversation field.
import { accessData, allowForConversations } from './auth.js';
import {
  brand,
  callSiteAround,
  captureCallSite,
  capitalize,
  getBrand,
  markModifier,
  modifierSite,
  schemaError,
  callUser,
  toArray,
  withCallSite,
} from './util.js';

/** Bedrock model ids of the names accepted by `a.ai.model(name)`. */
const supportedModels = {
  'Amazon Nova Pro': 'amazon.nova-pro-v1:0',
  'Amazon Nova Lite': 'amazon.nova-lite-v1:0',
  'Amazon Nova Micro': 'amazon.nova-micro-v1:0',
  'Claude 3 Haiku': 'anthropic.claude-3-haiku-20240307-v1:0',
  'Claude 3 Opus': 'anthropic.claude-3-opus-20240229-v1:0',
  'Claude 3 Sonnet': 'anthropic.claude-3-sonnet-20240229-v1:0',
  'Claude 3.5 Haiku': 'anthropic.claude-3-5-haiku-20241022-v1:0',
  'Claude 3.5 Sonnet': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  'Claude 3.5 Sonnet v2': 'anthropic.claude-3-5-sonnet-20241022-v2:0',
  'Claude 3.7 Sonnet': 'anthropic.claude-3-7-sonnet-20250219-v1:0',
  'Claude Opus 4': 'anthropic.claude-opus-4-20250514-v1:0',
  'Claude Sonnet 4': 'anthropic.claude-sonnet-4-20250514-v1:0',
  'Claude Haiku 4.5': 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  'Claude Sonnet 4.5': 'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
  'Claude Opus 4.5': 'global.anthropic.claude-opus-4-5-20251101-v1:0',
  'Claude Sonnet 4.6': 'global.anthropic.claude-sonnet-4-6',
  'Claude Opus 4.6': 'global.anthropic.claude-opus-4-6-v1',
  'Cohere Command R': 'cohere.command-r-v1:0',
  'Cohere Command R+': 'cohere.command-r-plus-v1:0',
  'Llama 3.1 8B Instruct': 'meta.llama3-1-8b-instruct-v1:0',
  'Llama 3.1 70B Instruct': 'meta.llama3-1-70b-instruct-v1:0',
  'Llama 3.1 405B Instruct': 'meta.llama3-1-405b-instruct-v1:0',
  'Mistral Large': 'mistral.mistral-large-2402-v1:0',
  'Mistral Large 2': 'mistral.mistral-large-2407-v1:0',
  'Mistral Small': 'mistral.mistral-small-2402-v1:0',
};

export function aiModel(modelName) {
  return { resourcePath: supportedModels[modelName] };
}

export function dataTool(input) {
  return input;
}

export const conversationBrandName = 'conversationCustomOperation';

export function conversation(input) {
  const data = { authorization: [] };
  const builder = {
    authorization(callback) {
      markModifier(this, 'authorization');
      const site = modifierSite(this, 'authorization');
      data.authorization = toArray(callUser(callback, allowForConversations, site));
      return this;
    },
  };
  return withCallSite(
    { ...brand(conversationBrandName), ...input, ...builder, data },
    callSiteAround(captureCallSite(), input),
  );
}

export function isConversationRoute(type) {
  return getBrand(type) === conversationBrandName;
}

function formatInferenceConfig(config) {
  if (!config) return null;
  const parts = [];
  if (config.temperature !== undefined) parts.push(`temperature: ${config.temperature}`);
  if (config.maxTokens !== undefined) parts.push(`maxTokens: ${config.maxTokens}`);
  if (config.topP !== undefined) parts.push(`topP: ${config.topP}`);
  return parts.length > 0 ? `{ ${parts.join(', ')} }` : null;
}

const isRef = (value) => value?.data?.type === 'ref';

function extractAuthorization(typeDef, typeName) {
  const { authorization } = typeDef.data;
  if (authorization.length === 0) {
    throw schemaError(
      `Conversation ${typeName} is missing authorization rules. Use .authorization((allow) => allow.owner()) to configure authorization for your conversation route.`,
      typeDef,
    );
  }
  const { strategy, provider } = accessData(authorization[0]);
  if (strategy !== 'owner' || provider !== 'userPools') {
    throw schemaError(
      `Conversation ${typeName} must use owner authorization with a user pool provider. Use .authorization((allow) => allow.owner()) to configure authorization for your conversation route.`,
      modifierSite(typeDef, 'authorization'),
      typeDef,
    );
  }
  return { strategy, provider };
}

function toolDefinition(tool, typeDef) {
  if ('model' in tool) {
    if (!isRef(tool.model)) throw schemaError(`Unexpected model was found in tool ${tool}.`, typeDef);
    return `modelName: "${tool.model.data.link}", modelOperation: ${tool.modelOperation}`;
  }
  if (!isRef(tool.query)) throw schemaError(`Unexpected query was found in tool ${tool}.`, typeDef);
  return `queryName: "${tool.query.data.link}"`;
}

function toolsString(tools, typeDef) {
  return tools
    .map((tool) => {
      const { name, description } = tool;
      const valid = /^[a-zA-Z][a-zA-Z0-9_]*$/.test(name) && name.length >= 1 && name.length <= 64;
      if (!valid) {
        throw schemaError(
          `Tool name must be between 1 and 64 characters, start with a letter, and contain only letters, numbers, and underscores. Found: ${name}`,
          typeDef,
        );
      }
      return `{ name: "${name}", description: "${description}", ${toolDefinition(tool, typeDef)} }`;
    })
    .join(', ');
}

/** The `type Mutation` field of a conversation route and its handler function (if any). */
export function createConversationField(typeDef, typeName) {
  const { aiModel: model, systemPrompt, inferenceConfiguration, handler, tools } = typeDef;
  const { strategy, provider } = extractAuthorization(typeDef, typeName);

  const argsParts = [
    `aiModel: "${model.resourcePath}"`,
    `systemPrompt: "${systemPrompt.replace(/\r?\n/g, '\\n')}"`,
  ];
  const inference = formatInferenceConfig(inferenceConfiguration);
  if (inference) argsParts.push(`inferenceConfiguration: ${inference}`);

  const authString = `, auth: { strategy: ${strategy}, provider: ${provider} }`;
  const functionHandler = {};
  let handlerString = '';
  if (handler) {
    const functionName = `Fn${capitalize(typeName)}`;
    handlerString = `, handler: { functionName: "${functionName}", eventVersion: "${handler.eventVersion}" }`;
    functionHandler[functionName] = handler;
  }
  const tools_ = tools?.length ? `, tools: [${toolsString(tools, typeDef)}]` : '';
  const directive = `@conversation(${argsParts.join(', ')}${authString}${handlerString}${tools_})`;
  const field = `${typeName}(conversationId: ID!, content: [AmplifyAIContentBlockInput], aiContext: AWSJSON, toolConfiguration: AmplifyAIToolConfigurationInput): AmplifyAIConversationMessage ${directive} @aws_cognito_user_pools`;
  return { field, functionHandler };
}
