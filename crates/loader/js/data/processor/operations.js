// Custom operations → `type Query/Mutation/Subscription` fields, with their handlers (@function,
// JS resolvers, @sql), @aws_subscribe, @generation, and the checks the real builder makes.
import { getHandlerData } from '../operations.js';
import { brandSymbol, capitalize, getBrand, modifierSite, schemaError } from '../util.js';
import {
  calculateAuth,
  escapeGraphQlString,
  mapToNativeAppSyncAuthDirectives,
  refFieldToGql,
  scalarFieldToGql,
} from './gql.js';
import { generateInputTypes } from './inputs.js';
import { isCustomType, isEnumType, isRefField, isScalarField } from './refs.js';

const brandOfFirst = (handlers, brands) =>
  Array.isArray(handlers) && brands.includes(getBrand(handlers[0]));

export const isSqlReferenceHandler = (handlers) => brandOfFirst(handlers, ['sqlReference']);
export const isCustomHandler = (handlers) => brandOfFirst(handlers, ['customHandler']);
export const isFunctionHandler = (handlers) =>
  brandOfFirst(handlers, ['functionHandler', 'asyncFunctionHandler']);
export const finalHandlerIsAsyncFunctionHandler = (handlers) =>
  Array.isArray(handlers) && getBrand(handlers[handlers.length - 1]) === 'asyncFunctionHandler';

function transformFunctionHandler(handlers, functionFieldName, site) {
  let gqlHandlerContent = '';
  const lambdaFunctionDefinition = {};
  handlers.forEach((handler, idx) => {
    const handlerData = getHandlerData(handler);
    if (typeof handlerData.handler === 'string') {
      gqlHandlerContent += `@function(name: "${handlerData.handler}") `;
    } else if (typeof handlerData.handler.getInstance === 'function') {
      const fnName = `Fn${capitalize(functionFieldName)}${idx === 0 ? '' : `${idx + 1}`}`;
      lambdaFunctionDefinition[fnName] = handlerData.handler;
      const invocationTypeArg = handlerData.invocationType === 'Event' ? ', invocationType: Event)' : ')';
      gqlHandlerContent += `@function(name: "${fnName}"${invocationTypeArg} `;
    } else {
      throw schemaError(
        `Invalid value specified for ${functionFieldName} handler.function(). Expected: defineFunction or string.`,
        handler,
        site,
      );
    }
  });
  return { gqlHandlerContent, lambdaFunctionDefinition };
}

function normalizeDataSourceName(dataSource) {
  if (dataSource === undefined) return 'NONE_DS';
  if (typeof dataSource !== 'string' && dataSource?.data && dataSource.data.type === 'ref') {
    return `${dataSource.data.link}Table`;
  }
  return dataSource;
}

/**
 * The `entry` of a JS resolver / SQL reference handler. An absolute path stays a string; a
 * relative one becomes `{ relativePath, importLine }` like the real package, where importLine is
 * `at <anonymous> (<file>:<line>:<column>)` of the user's call (file as reported by the host's
 * `__stratusCallSite`, i.e. relative to the project root), plus a non-enumerable
 * `stratusLocation = { file, line, column }`.
 */
function resolveEntryPath(data, errorMessage, site) {
  if (typeof data.entry !== 'string') {
    throw new TypeError(`The "path" argument must be of type string. Received ${typeof data.entry}`);
  }
  if (data.entry.startsWith('/')) return data.entry;
  if (!data.site) throw schemaError(errorMessage, site);
  const { file, line, column } = data.site;
  const entry = {
    relativePath: data.entry,
    importLine: `at <anonymous> (${file}:${line}:${column})`,
  };
  Object.defineProperty(entry, 'stratusLocation', {
    value: { file, line, column },
    enumerable: false,
  });
  return entry;
}

function handleCustom(handlers, opType, typeName) {
  const transformedHandlers = handlers.map((handler) => {
    const handlerData = getHandlerData(handler);
    return {
      dataSource: normalizeDataSourceName(handlerData.dataSource),
      entry: resolveEntryPath(
        handlerData,
        'Could not determine import path to construct absolute code path for custom handler. Consider using an absolute path instead.',
        handler,
      ),
    };
  });
  return { typeName: opType, fieldName: typeName, handlers: transformedHandlers };
}

function validateCustomOperations(typeDef, typeName, authRules, getRefType) {
  const { handlers, typeName: opType, subscriptionSource } = typeDef.data;
  const handlerConfigured = handlers?.length;
  const authConfigured = authRules.length > 0;

  if (
    opType !== 'Generation' &&
    ((authConfigured && !handlerConfigured) || (handlerConfigured && !authConfigured))
  ) {
    throw schemaError(
      `Custom operation ${typeName} requires both an authorization rule and a handler reference`,
      typeDef,
    );
  }

  if (handlers?.length) {
    const configured = new Set();
    for (const handler of handlers) configured.add(getBrand(handler));
    if (configured.size > 1) {
      configured.delete('asyncFunctionHandler');
      configured.delete('functionHandler');
      if (configured.size > 0) {
        throw schemaError(
          `Field handlers must be of the same type. ${typeName} has been configured with ${JSON.stringify(Array.from(configured))}`,
          modifierSite(typeDef, 'handler'),
          typeDef,
        );
      }
    }
  }

  if (
    typeDef.data.returnType === null &&
    (opType === 'Query' || opType === 'Mutation' || opType === 'Generation')
  ) {
    if (
      !handlers ||
      handlers.length === 0 ||
      handlers[handlers.length - 1][brandSymbol] !== 'asyncFunctionHandler'
    ) {
      const description = opType === 'Generation' ? 'Generation Route' : `Custom ${opType}`;
      throw schemaError(
        `Invalid ${description} definition. A ${description} must include a return type. ${typeName} has no return type specified.`,
        typeDef,
      );
    }
  }

  if (opType !== 'Subscription' && subscriptionSource.length > 0) {
    throw schemaError(
      `The .for() modifier function can only be used with a custom subscription. ${typeName} is not a custom subscription.`,
      modifierSite(typeDef, 'for'),
      typeDef,
    );
  }

  if (opType === 'Subscription') {
    if (subscriptionSource.length < 1) {
      throw schemaError(
        `${typeName} is missing a mutation source. Custom subscriptions must reference a mutation source via subscription().for(a.ref('ModelOrOperationName')) `,
        typeDef,
      );
    }
    let expectedReturnType;
    for (const source of subscriptionSource) {
      const sourceName = source.data.link;
      const { type, def } = getRefType(sourceName, typeName, source, typeDef);
      if (type !== 'Model' && source.data.mutationOperations.length > 0) {
        throw schemaError(
          `Invalid subscription definition. .mutations() modifier can only be used with a Model ref. ${typeName} is referencing ${type}`,
          source,
          typeDef,
        );
      }
      let resolvedReturnType;
      if (type === 'Model') {
        if (source.data.mutationOperations.length === 0) {
          throw schemaError(
            `Invalid subscription definition. .mutations() modifier must be used with a Model ref subscription source. ${typeName} is referencing ${sourceName} without specifying a mutation`,
            source,
            typeDef,
          );
        }
        resolvedReturnType = def;
      }
      if (type === 'CustomOperation') {
        if (def.data.typeName !== 'Mutation') {
          throw schemaError(
            `Invalid subscription definition. .for() can only reference a mutation. ${typeName} is referencing ${sourceName} which is a ${def.data.typeName}`,
            source,
            typeDef,
          );
        }
        const returnType = def.data.returnType;
        if (isRefField(returnType)) {
          ({ def: resolvedReturnType } = getRefType(returnType.data.link, typeName, returnType, typeDef));
        } else {
          resolvedReturnType = returnType;
        }
      }
      expectedReturnType = expectedReturnType ?? resolvedReturnType;
      if (expectedReturnType !== resolvedReturnType) {
        throw schemaError(
          `Invalid subscription definition. .for() can only reference resources that have the same return type. ${typeName} is referencing resources that have different return types.`,
          modifierSite(typeDef, 'for'),
          typeDef,
        );
      }
    }
  }
}

const isGenerationInput = (input) => Boolean(input?.aiModel && input?.systemPrompt);

function customOperationToGql(typeName, typeDef, authorization, isCustom, databaseType, getRefType) {
  const { arguments: fieldArgs, typeName: opType, returnType, handlers, subscriptionSource } = typeDef.data;
  let callSignature = typeName;
  const implicitTypes = [];
  let customTypeAuthRules;

  const { authString } = isCustom
    ? mapToNativeAppSyncAuthDirectives(authorization, true, modifierSite(typeDef, 'authorization'), typeDef)
    : calculateAuth(authorization, modifierSite(typeDef, 'authorization'), typeDef);

  const resolveReturnTypeName = (rt, { refererTypeName, shouldAddCustomTypeToImplicitTypes = true }) => {
    if (isRefField(rt)) {
      const { type } = getRefType(rt.data.link, typeName, rt, typeDef);
      if (type === 'CustomType') {
        customTypeAuthRules = { typeName: rt.data.link, authRules: authorization };
      }
      return refFieldToGql(rt?.data);
    } else if (isCustomType(rt)) {
      const name = `${capitalize(refererTypeName)}ReturnType`;
      if (shouldAddCustomTypeToImplicitTypes) {
        customTypeAuthRules = { typeName: name, authRules: authorization };
        implicitTypes.push([name, rt]);
      }
      return name;
    } else if (isEnumType(rt)) {
      const name = `${capitalize(refererTypeName)}ReturnType`;
      implicitTypes.push([name, rt]);
      return name;
    } else if (isScalarField(rt)) {
      return scalarFieldToGql(rt?.data);
    }
    throw schemaError(`Unrecognized return type on ${typeName}`, modifierSite(typeDef, 'returns'), typeDef);
  };

  let returnTypeName;
  if (opType === 'Subscription' && returnType === null) {
    // every source resolves to the same return type (validated): use the first one
    const { type, def } = getRefType(subscriptionSource[0].data.link, typeName, subscriptionSource[0], typeDef);
    if (type === 'CustomOperation') {
      returnTypeName = resolveReturnTypeName(def.data.returnType, {
        refererTypeName: subscriptionSource[0].data.link,
        shouldAddCustomTypeToImplicitTypes: false,
      });
    } else {
      returnTypeName = refFieldToGql(subscriptionSource[0].data);
    }
  } else {
    returnTypeName = resolveReturnTypeName(returnType, { refererTypeName: typeName });
  }

  const { inputTypes, argDefinitions, collectedEnums } = generateInputTypes(
    typeName,
    fieldArgs,
    getRefType,
    typeDef,
  );
  for (const [enumName, enumDef] of collectedEnums) {
    if (!implicitTypes.some(([name]) => name === enumName)) implicitTypes.push([enumName, enumDef]);
  }
  if (argDefinitions.length > 0) callSignature += `(${argDefinitions.join(', ')})`;

  const handler = handlers && handlers[0];
  const handlerBrand = handler && getBrand(handler);
  let gqlHandlerContent = '';
  let lambdaFunctionDefinition = {};
  let customSqlDataSourceStrategy;

  if (isFunctionHandler(handlers)) {
    ({ gqlHandlerContent, lambdaFunctionDefinition } = transformFunctionHandler(handlers, typeName, typeDef));
  } else if (databaseType === 'sql' && handler && handlerBrand === 'inlineSql') {
    gqlHandlerContent = `@sql(statement: ${escapeGraphQlString(String(getHandlerData(handler)))}) `;
    customSqlDataSourceStrategy = { typeName: opType, fieldName: typeName };
  } else if (isSqlReferenceHandler(handlers)) {
    const entry = resolveEntryPath(
      getHandlerData(handlers[0]),
      'Could not determine import path to construct absolute code path for sql reference handler. Consider using an absolute path instead.',
      handlers[0],
    );
    const reference = typeof entry === 'string' ? entry : entry.relativePath;
    customSqlDataSourceStrategy = { typeName: opType, fieldName: typeName, entry };
    gqlHandlerContent = `@sql(reference: "${reference}") `;
  }

  if (opType === 'Subscription') {
    const sources = subscriptionSource
      .flatMap((source) => {
        const target = source.data.link;
        const { type } = getRefType(target, typeName, source, typeDef);
        if (type === 'CustomOperation') return target;
        if (type === 'Model') {
          return source.data.mutationOperations.map((op) => `${op}${capitalize(target)}`);
        }
        return undefined;
      })
      .join('", "');
    gqlHandlerContent += `@aws_subscribe(mutations: ["${sources}"]) `;
  }

  if (opType === 'Generation') {
    if (!isGenerationInput(typeDef.data.input)) {
      throw schemaError(
        `Invalid Generation Route definition. A Generation Route must include a valid input. ${typeName} has an invalid or no input defined.`,
        typeDef,
      );
    }
    const { aiModel, systemPrompt, inferenceConfiguration } = typeDef.data.input;
    const escapedSystemPrompt = systemPrompt.replace(/\r?\n/g, '\\n');
    const entries = Object.entries(inferenceConfiguration ?? {});
    const inference =
      entries.length > 0
        ? `, inferenceConfiguration: { ${entries.map(([key, value]) => `${key}: ${value}`).join(', ')} }`
        : '';
    gqlHandlerContent += `@generation(aiModel: "${aiModel.resourcePath}", systemPrompt: "${escapedSystemPrompt}"${inference}) `;
  }

  return {
    gqlField: `${callSignature}: ${returnTypeName} ${gqlHandlerContent}${authString}`,
    implicitTypes,
    customTypeAuthRules,
    lambdaFunctionDefinition,
    customSqlDataSourceStrategy,
    inputTypes,
  };
}

export function transformCustomOperations(typeDef, typeName, authRules, databaseType, getRefType) {
  const { typeName: opType, handlers } = typeDef.data;
  let jsFunctionForField;
  validateCustomOperations(typeDef, typeName, authRules, getRefType);
  if (isCustomHandler(handlers)) {
    jsFunctionForField = handleCustom(handlers, opType, typeName);
  }
  const result = customOperationToGql(
    typeName,
    typeDef,
    authRules,
    Boolean(jsFunctionForField),
    databaseType,
    getRefType,
  );
  return { ...result, jsFunctionForField };
}

export function generateCustomOperationTypes({ queries, mutations, subscriptions }) {
  const types = [];
  if (mutations.length > 0) types.push(`type Mutation {\n  ${mutations.join('\n  ')}\n}`);
  if (queries.length > 0) types.push(`type Query {\n  ${queries.join('\n  ')}\n}`);
  if (subscriptions.length > 0) {
    types.push(`type Subscription {\n  ${subscriptions.join('\n  ')}\n}`);
  }
  return types;
}

/** Custom types nested (inline or by ref) in the custom type `customTypeAuthRules.typeName`. */
export function extractNestedCustomTypeNames(customTypeAuthRules, topLevelTypes, getRefType) {
  if (!customTypeAuthRules) return [];
  const [, customTypeDef] = topLevelTypes.find(([name]) => customTypeAuthRules.typeName === name);
  const traverse = (name, typeDef, namesList = []) => {
    for (const [fieldName, fieldDef] of Object.entries(typeDef.data.fields)) {
      if (isCustomType(fieldDef)) {
        const nestedName = `${capitalize(name)}${capitalize(fieldName)}`;
        namesList.push(nestedName);
        traverse(nestedName, fieldDef, namesList);
      } else if (isRefField(fieldDef)) {
        const refType = getRefType(fieldDef.data.link, name, fieldDef);
        if (refType.type === 'CustomType') {
          namesList.push(fieldDef.data.link);
          traverse(fieldDef.data.link, refType.def, namesList);
        }
      }
    }
    return namesList;
  };
  return traverse(customTypeAuthRules.typeName, customTypeDef);
}
