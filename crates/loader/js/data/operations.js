// Custom operations (a.query / a.mutation / a.subscription / a.generation) and their handlers
// (a.handler.function / custom / inlineSql / sqlReference).
import { allowForCustomOperations } from './auth.js';
import { ModelFieldType } from './fields.js';
import {
  brand,
  brandSymbol,
  callUser,
  captureCallSite,
  getBrand,
  markModifier,
  modifierSite,
  toArray,
  withCallSite,
} from './util.js';

// ---------------------------------------------------------------- handlers
const HANDLER_DATA = Symbol('Data');

export function getHandlerData(handler) {
  return handler[HANDLER_DATA];
}

function inlineSql(sql) {
  return withCallSite({ [HANDLER_DATA]: sql, ...brand('inlineSql') });
}

/** `site` replaces the real package's `new Error().stack`: the user's call site, or undefined. */
function sqlReference(sqlFilePath) {
  const site = captureCallSite();
  return withCallSite({ [HANDLER_DATA]: { site, entry: sqlFilePath }, ...brand('sqlReference') }, site);
}

function custom(customHandler) {
  const site = captureCallSite();
  return withCallSite({ [HANDLER_DATA]: { ...customHandler, site }, ...brand('customHandler') }, site);
}

function asyncFunctionHandler(functionHandler) {
  return withCallSite({
    [HANDLER_DATA]: { handler: functionHandler[HANDLER_DATA].handler, invocationType: 'Event' },
    ...brand('asyncFunctionHandler'),
  });
}

function fn(handler) {
  return withCallSite({
    [HANDLER_DATA]: { handler, invocationType: 'RequestResponse' },
    async() {
      return asyncFunctionHandler(this);
    },
    ...brand('functionHandler'),
  });
}

export const handler = Object.freeze({ inlineSql, sqlReference, custom, function: fn });

// ---------------------------------------------------------------- custom operations
export const CustomOperationNames = ['Query', 'Mutation', 'Subscription', 'Generation'];

/** Return type set by `.handler()` when the last handler is an async function. */
export const eventInvocationResponse = {
  data: {
    type: 'ref',
    link: 'EventInvocationResponse',
    valueRequired: false,
    array: false,
    arrayRequired: false,
    mutationOperations: [],
    authorization: [],
  },
};

/** The custom type added to a schema that has an async function handler. */
export const eventInvocationResponseCustomType = {
  data: {
    fields: {
      success: {
        data: {
          fieldType: ModelFieldType.Boolean,
          required: true,
          array: false,
          arrayRequired: false,
        },
      },
    },
    type: 'customType',
  },
};

function lastHandlerIsAsyncFunction(handlers) {
  const last = Array.isArray(handlers) ? handlers[handlers.length - 1] : handlers;
  return last[brandSymbol] === 'asyncFunctionHandler';
}

function makeCustomOperation(typeName, brandName, input) {
  const data = {
    arguments: {},
    returnType: null,
    authorization: [],
    typeName,
    handlers: null,
    subscriptionSource: [],
    input,
  };
  const builder = {
    arguments(args) {
      markModifier(this, 'arguments');
      data.arguments = args;
      return this;
    },
    returns(returnType) {
      markModifier(this, 'returns');
      data.returnType = returnType;
      return this;
    },
    authorization(callback) {
      markModifier(this, 'authorization');
      const site = modifierSite(this, 'authorization');
      data.authorization = toArray(callUser(callback, allowForCustomOperations, site));
      return this;
    },
    handler(handlers) {
      markModifier(this, 'handler');
      data.handlers = toArray(handlers);
      if (lastHandlerIsAsyncFunction(handlers)) {
        data.returnType = eventInvocationResponse;
      }
      return this;
    },
    for(source) {
      markModifier(this, 'for');
      data.subscriptionSource = toArray(source);
      return this;
    },
    ...brand(brandName),
    data,
  };
  return withCallSite(builder);
}

export const query = () => makeCustomOperation('Query', 'queryCustomOperation');
export const mutation = () => makeCustomOperation('Mutation', 'mutationCustomOperation');
export const subscription = () =>
  makeCustomOperation('Subscription', 'subscriptionCustomOperation');
export const generation = (input) =>
  makeCustomOperation('Generation', 'generationCustomOperation', input);

export function isCustomOperation(type) {
  return CustomOperationNames.includes(type?.data?.typeName);
}

export { getBrand };
