// schema.transform(): the directive SDL and the rest of the API definition
// (`DerivedApiDefinition`) of one schema, as @aws-amplify/data-schema 1.26.2 produces them.
import { accessData } from '../auth.js';
import { CONVERSATION_SCHEMA_GRAPHQL_TYPES } from '../conversation-types.js';
import { createConversationField } from '../ai.js';
import { GENERATED } from '../fields.js';
import { eventInvocationResponseCustomType } from '../operations.js';
import { capitalize, locate, modifierSite, schemaError } from '../util.js';
import {
  addFields,
  calculateAuth,
  enumFieldToGql,
  mapToNativeAppSyncAuthDirectives,
  modelAttributesFromDisabledOps,
  modelFieldToGql,
  refFieldToGql,
  scalarFieldToGql,
  transformedSecondaryIndexesForModel,
  validateImpliedFields,
  validateStaticFields,
} from './gql.js';
import {
  extractNestedCustomTypeNames,
  finalHandlerIsAsyncFunctionHandler,
  generateCustomOperationTypes,
  transformCustomOperations,
} from './operations.js';
import {
  getRefTypeForSchema,
  isConversationRoute,
  isCustomOperation,
  isCustomType,
  isEnumType,
  isInternalModel,
  isModelField,
  isRefField,
  isScalarField,
} from './refs.js';
import { validateRelationships } from './relationships.js';

function validateRefUseCases(referrerName, referrerType, fields, getRefType, site) {
  const targetType = referrerType === 'customType' ? 'custom type' : 'model';
  for (const [fieldName, field] of Object.entries(fields)) {
    if (isRefField(field)) {
      const { def } = getRefType(field.data.link, referrerName, field, site);
      if (isInternalModel(def)) {
        throw schemaError(
          `Cannot use \`.ref()\` to refer a model from a \`${targetType}\`. Field \`${fieldName}\` of \`${referrerName}\` refers to model \`${field.data.link}\``,
          field,
          site,
        );
      }
    }
  }
}

function processFieldLevelAuthRules(fields, authFields) {
  const fieldLevelAuthRules = {};
  for (const [fieldName, fieldDef] of Object.entries(fields)) {
    const fieldAuth = fieldDef?.data?.authorization || [];
    const { authString, authFields: fieldAuthFields } = calculateAuth(fieldAuth, modifierSite(fieldDef, 'authorization'), fieldDef);
    if (authString) fieldLevelAuthRules[fieldName] = authString;
    if (fieldAuthFields) addFields(authFields, fieldAuthFields, modifierSite(fieldDef, 'authorization'), fieldDef);
  }
  return fieldLevelAuthRules;
}

function validateDBGeneration(fields, databaseEngine) {
  for (const [fieldName, fieldDef] of Object.entries(fields)) {
    const isGenerated = fieldDef.data?.default === GENERATED;
    const fieldType = fieldDef.data?.fieldType;
    if (isGenerated && databaseEngine !== 'postgresql') {
      throw schemaError(
        `Invalid field definition for ${fieldName}. DB-generated fields are only supported with PostgreSQL data sources.`,
        modifierSite(fieldDef, 'default'),
        fieldDef,
      );
    }
    if (isGenerated && fieldType !== 'Int') {
      throw schemaError(
        `Incompatible field type. Field type ${fieldType} in field ${fieldName} cannot be configured as a DB-generated field.`,
        modifierSite(fieldDef, 'default'),
        fieldDef,
      );
    }
  }
}

function validateNullableIdentifiers(fields, identifier, site) {
  for (const [fieldName, fieldDef] of Object.entries(fields)) {
    const fieldType = fieldDef.data?.fieldType;
    const required = fieldDef.data?.required;
    const isGenerated = fieldDef.data?.default === GENERATED;
    if (identifier !== undefined && identifier.includes(fieldName)) {
      if (!required && fieldType !== 'ID' && !isGenerated) {
        throw schemaError(
          `Invalid identifier definition. Field ${fieldName} cannot be used in the identifier. Identifiers must reference required or DB-generated fields)`,
          modifierSite(site, 'identifier'),
          fieldDef,
          site,
        );
      }
    }
  }
}

function processFields(
  typeName,
  fields,
  impliedFields,
  fieldLevelAuthRules,
  identifier,
  partitionKey,
  secondaryIndexes = {},
  databaseEngine = 'dynamodb',
  site = undefined,
) {
  const gqlFields = [];
  // inline custom types and enums, hoisted to top-level types
  const implicitTypes = [];

  validateImpliedFields(fields, impliedFields, site);
  validateDBGeneration(fields, databaseEngine);
  validateNullableIdentifiers(fields, identifier, site);

  for (const [fieldName, fieldDef] of Object.entries(fields)) {
    const fieldAuth = fieldLevelAuthRules[fieldName] ? ` ${fieldLevelAuthRules[fieldName]}` : '';
    if (isModelField(fieldDef)) {
      gqlFields.push(`${fieldName}: ${modelFieldToGql(fieldDef.data)}${fieldAuth}`);
    } else if (isScalarField(fieldDef)) {
      if (fieldName === partitionKey) {
        gqlFields.push(
          `${fieldName}: ${scalarFieldToGql(fieldDef.data, identifier, secondaryIndexes[fieldName])}${fieldAuth}`,
        );
      } else if (isRefField(fieldDef)) {
        gqlFields.push(
          `${fieldName}: ${refFieldToGql(fieldDef.data, secondaryIndexes[fieldName])}${fieldAuth}`,
        );
      } else if (isEnumType(fieldDef)) {
        const enumName = `${capitalize(typeName)}${capitalize(fieldName)}`;
        implicitTypes.push([enumName, fieldDef]);
        gqlFields.push(`${fieldName}: ${enumFieldToGql(enumName, secondaryIndexes[fieldName])}`);
      } else if (isCustomType(fieldDef)) {
        const customTypeName = `${capitalize(typeName)}${capitalize(fieldName)}`;
        implicitTypes.push([customTypeName, fieldDef]);
        gqlFields.push(`${fieldName}: ${customTypeName}`);
      } else {
        gqlFields.push(
          `${fieldName}: ${scalarFieldToGql(fieldDef.data, undefined, secondaryIndexes[fieldName])}${fieldAuth}`,
        );
      }
    } else {
      throw schemaError(`Unexpected field definition: ${fieldDef}`, fieldDef, site);
    }
  }
  return { gqlFields, implicitTypes };
}

/** Splits `allow.resource(fn)` rules (→ functionSchemaAccess) from the other schema rules. */
function extractFunctionSchemaAccess(authRules) {
  const schemaAuth = [];
  const functionSchemaAccess = [];
  for (const rule of authRules) {
    const data = accessData(rule);
    if (data.strategy === 'resource') {
      functionSchemaAccess.push({
        resourceProvider: data.resource,
        actions: data.operations || ['query', 'mutate', 'listen'],
      });
    } else {
      schemaAuth.push(rule);
    }
  }
  return { schemaAuth, functionSchemaAccess };
}

/** Custom types last (stable), so that operations returning them are seen first. */
function sortTopLevelTypes(entries) {
  return [
    ...entries.filter(([, def]) => !isCustomType(def)),
    ...entries.filter(([, def]) => isCustomType(def)),
  ];
}

function mergeCustomTypeAuthRules(existing, added, sources, operation) {
  if (!added) return;
  const { typeName, authRules } = added;
  if (typeName in existing) {
    existing[typeName] = [...existing[typeName], ...authRules];
  } else {
    existing[typeName] = authRules;
  }
  // the operations the rules come from (to locate errors about them)
  if (!sources.has(typeName)) sources.set(typeName, []);
  sources.get(typeName).push(modifierSite(operation, 'authorization'), operation);
}

function processCustomType(typeName, typeDef, inheritedAuth, authSources, getRefType, databaseEngine) {
  const fields = typeDef.data.fields;
  validateRefUseCases(typeName, 'customType', fields, getRefType, typeDef);
  const relationshipFields = Object.fromEntries(
    Object.entries(fields).filter((pair) => isModelField(pair[1])),
  );
  let customAuth = '';
  if (typeName in inheritedAuth) {
    customAuth = mapToNativeAppSyncAuthDirectives(
      inheritedAuth[typeName],
      false,
      ...(authSources.get(typeName) ?? []),
      typeDef,
    ).authString;
  }
  const authFields = {};
  const fieldLevelAuthRules = processFieldLevelAuthRules(relationshipFields, authFields);
  const { gqlFields, implicitTypes } = processFields(
    typeName,
    fields,
    authFields,
    fieldLevelAuthRules,
    undefined,
    undefined,
    undefined,
    databaseEngine,
    typeDef,
  );
  return { sdl: `type ${typeName} ${customAuth}\n{\n  ${gqlFields.join('\n  ')}\n}`, implicitTypes };
}

function processSqlModel(typeName, typeDef, authRules, getRefType, databaseEngine) {
  const fields = { ...typeDef.data.fields };
  validateRefUseCases(typeName, 'model', fields, getRefType, typeDef);
  const identifier = typeDef.data.identifier;
  const [partitionKey] = identifier;
  const { authString, authFields } = calculateAuth(authRules, modifierSite(typeDef, 'authorization'), typeDef);
  const fieldLevelAuthRules = processFieldLevelAuthRules(fields, authFields);
  validateStaticFields(fields, authFields, modifierSite(typeDef, 'authorization'), typeDef);
  const { gqlFields, implicitTypes } = processFields(
    typeName,
    fields,
    authFields,
    fieldLevelAuthRules,
    identifier,
    partitionKey,
    undefined,
    databaseEngine,
    typeDef,
  );
  const refersTo = typeDef.data.originalName ? ` @refersTo(name: "${typeDef.data.originalName}")` : '';
  const disabled = modelAttributesFromDisabledOps(typeDef.data.disabledOperations);
  const modelAttrs = disabled ? `timestamps: null, ${disabled}` : 'timestamps: null';
  const sdl = `type ${typeName} @model(${modelAttrs}) ${authString}${refersTo}\n{\n  ${gqlFields.join('\n  ')}\n}`;
  return { sdl, implicitTypes };
}

function processModel(typeName, typeDef, authRules, getRefType, databaseEngine) {
  const fields = typeDef.data.fields;
  validateRefUseCases(typeName, 'model', fields, getRefType, typeDef);
  const identifier = typeDef.data.identifier;
  const [partitionKey] = identifier;
  const indexes = transformedSecondaryIndexesForModel(
    typeName,
    typeDef.data.secondaryIndexes,
    fields,
    getRefType,
    typeDef,
  );
  const { authString, authFields } = calculateAuth(authRules, modifierSite(typeDef, 'authorization'), typeDef);
  if (authString == '') {
    throw schemaError(
      `Model \`${typeName}\` is missing authorization rules. Add global rules to the schema or ensure every model has its own rules.`,
      typeDef,
    );
  }
  const getInternalModel = (modelName, sourceName, ...sites) => {
    const found = getRefType(modelName, sourceName, ...sites);
    if (!isInternalModel(found.def)) {
      throw schemaError(`Expected to find model type with name ${modelName}`, ...sites);
    }
    return found.def;
  };
  validateRelationships(typeName, fields, getInternalModel);
  const fieldLevelAuthRules = processFieldLevelAuthRules(fields, authFields);
  const { gqlFields, implicitTypes } = processFields(
    typeName,
    fields,
    authFields,
    fieldLevelAuthRules,
    identifier,
    partitionKey,
    indexes,
    databaseEngine,
    typeDef,
  );
  const modelAttrs = modelAttributesFromDisabledOps(typeDef.data.disabledOperations);
  const modelDirective = modelAttrs ? `@model(${modelAttrs})` : '@model';
  const sdl = `type ${typeName} ${modelDirective} ${authString}\n{\n  ${gqlFields.join('\n  ')}\n}`;
  return { sdl, implicitTypes };
}

function preprocess(schema, state) {
  const gqlModels = [];
  const customQueries = [];
  const customMutations = [];
  const customSubscriptions = [];
  let shouldAddConversationTypes = false;
  // custom type name -> auth rules inherited from the operations returning it
  const inheritedAuth = {};
  const authSources = new Map();
  const jsFunctions = [];
  const lambdaFunctions = {};
  const customSqlDataSourceStrategies = [];

  const databaseEngine = schema.data.configuration.database.engine;
  const databaseType = databaseEngine === 'dynamodb' ? 'dynamodb' : 'sql';

  const hasAsyncLambdaOperation = Object.entries(schema.data.types).find(
    ([, typeDef]) => isCustomOperation(typeDef) && finalHandlerIsAsyncFunctionHandler(typeDef.data.handlers),
  );
  if (hasAsyncLambdaOperation) {
    schema.data.types['EventInvocationResponse'] = eventInvocationResponseCustomType;
  }

  const topLevelTypes = sortTopLevelTypes(Object.entries(schema.data.types));
  const { schemaAuth, functionSchemaAccess } = extractFunctionSchemaAccess(schema.data.authorization);
  const getRefType = getRefTypeForSchema(schema);
  const uniqueInputTypes = new Map();

  // implicit (hoisted) types are appended while iterating
  for (let i = 0; i < topLevelTypes.length; i++) {
    const [typeName, typeDef] = topLevelTypes[i];
    state.current = typeDef;
    const mostRelevantAuthRules =
      typeDef.data?.authorization?.length > 0 ? typeDef.data.authorization : schemaAuth;

    if (!isInternalModel(typeDef)) {
      if (isEnumType(typeDef)) {
        if (typeDef.values.some((value) => /\s/.test(value))) {
          throw schemaError(
            `Values of the enum type ${typeName} should not contain any whitespace.`,
            typeDef,
          );
        }
        gqlModels.push(`enum ${typeName} {\n  ${typeDef.values.join('\n  ')}\n}`);
      } else if (isCustomType(typeDef)) {
        const { sdl, implicitTypes } = processCustomType(
          typeName,
          typeDef,
          inheritedAuth,
          authSources,
          getRefType,
          databaseEngine,
        );
        topLevelTypes.push(...implicitTypes);
        gqlModels.push(sdl);
      } else if (isCustomOperation(typeDef)) {
        const opType = typeDef.data.typeName;
        const {
          gqlField,
          implicitTypes,
          customTypeAuthRules,
          jsFunctionForField,
          lambdaFunctionDefinition,
          customSqlDataSourceStrategy,
          inputTypes,
        } = transformCustomOperations(typeDef, typeName, mostRelevantAuthRules, databaseType, getRefType);

        for (const { name, fields } of inputTypes) {
          if (!uniqueInputTypes.has(name)) uniqueInputTypes.set(name, { fields, site: typeDef });
        }
        topLevelTypes.push(...implicitTypes);
        mergeCustomTypeAuthRules(inheritedAuth, customTypeAuthRules, authSources, typeDef);
        if (customTypeAuthRules) {
          const nested = extractNestedCustomTypeNames(customTypeAuthRules, topLevelTypes, getRefType);
          for (const nestedName of nested) {
            mergeCustomTypeAuthRules(
              inheritedAuth,
              { typeName: nestedName, authRules: customTypeAuthRules.authRules },
              authSources,
              typeDef,
            );
          }
        }
        Object.assign(lambdaFunctions, lambdaFunctionDefinition);
        if (jsFunctionForField) jsFunctions.push(jsFunctionForField);
        if (customSqlDataSourceStrategy) customSqlDataSourceStrategies.push(customSqlDataSourceStrategy);
        switch (opType) {
          case 'Query':
          case 'Generation':
            customQueries.push(gqlField);
            break;
          case 'Mutation':
            customMutations.push(gqlField);
            break;
          case 'Subscription':
            customSubscriptions.push(gqlField);
            break;
          default:
            break;
        }
      } else if (isConversationRoute(typeDef)) {
        const { field, functionHandler } = createConversationField(typeDef, typeName);
        customMutations.push(field);
        Object.assign(lambdaFunctions, functionHandler);
        shouldAddConversationTypes = true;
      }
    } else {
      const process = databaseType === 'sql' ? processSqlModel : processModel;
      const { sdl, implicitTypes } = process(
        typeName,
        typeDef,
        mostRelevantAuthRules,
        getRefType,
        databaseEngine,
      );
      topLevelTypes.push(...implicitTypes);
      gqlModels.push(sdl);
    }
  }
  state.current = undefined;

  for (const [name, { fields, site }] of uniqueInputTypes) {
    state.current = site;
    const { gqlFields } = processFields(name, fields, {}, {}, undefined, undefined, undefined, databaseEngine, site);
    gqlModels.push(`input ${name} {\n  ${gqlFields.join('\n  ')}\n}`);
  }
  state.current = undefined;

  gqlModels.push(
    ...generateCustomOperationTypes({
      queries: customQueries,
      mutations: customMutations,
      subscriptions: customSubscriptions,
    }),
  );
  if (shouldAddConversationTypes) gqlModels.push(CONVERSATION_SCHEMA_GRAPHQL_TYPES);

  return {
    schema: gqlModels.join('\n\n'),
    jsFunctions,
    functionSchemaAccess,
    lambdaFunctions,
    customSqlDataSourceStrategies,
  };
}

/**
 * `{ schema, functionSlots, jsFunctions, functionSchemaAccess, lambdaFunctions,
 * customSqlDataSourceStrategies }` of `{ data, context }` (context: the combined schema, if any).
 * Errors carry `stratusLocation` (the most specific builder involved, else the top-level type
 * being processed) when the host reported call sites.
 */
export function processSchema({ schema }) {
  const state = { current: undefined };
  try {
    const out = preprocess(schema, state);
    return {
      schema: out.schema,
      functionSlots: [],
      jsFunctions: out.jsFunctions,
      functionSchemaAccess: out.functionSchemaAccess,
      lambdaFunctions: out.lambdaFunctions,
      customSqlDataSourceStrategies: out.customSqlDataSourceStrategies,
    };
  } catch (error) {
    throw locate(error, state.current);
  }
}
