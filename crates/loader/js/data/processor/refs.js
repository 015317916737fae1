// Kind predicates over builder data, and resolution of `a.ref('Name')` across a schema (and the
// schemas combined with it).
import { isConversationRoute } from '../ai.js';
import { isCustomOperation } from '../operations.js';
import { schemaError } from '../util.js';

export { isCustomOperation, isConversationRoute };

export function isEnumType(data) {
  return data?.type === 'enum';
}

export function isCustomType(data) {
  return data?.data?.type === 'customType';
}

export function isInternalModel(model) {
  return Boolean(
    model.data && !isCustomType(model) && !isCustomOperation(model) && !isConversationRoute(model),
  );
}

export function isModelFieldDef(data) {
  return data?.fieldType === 'model';
}

/** A relationship field (hasOne / hasMany / belongsTo). */
export function isModelField(field) {
  return isModelFieldDef(field?.data);
}

/** Anything that is not a relationship: scalars, refs, enums, custom types. */
export function isScalarField(field) {
  return field?.data?.fieldType !== 'model';
}

export function isRefField(field) {
  return field?.data?.type === 'ref';
}

function findCombinedSchemaType(schema, name) {
  if (schema.context) {
    for (const part of schema.context.schemas) {
      if (part.data.types[name]) return part.data.types[name];
    }
  } else {
    return schema.data.types[name];
  }
  return undefined;
}

/**
 * `getRefType(name, referrerName?, ...sites)` → `{ type: 'Model'|'CustomOperation'|'CustomType'|'Enum', def }`.
 * `sites` are the builders to blame (for the error location) when the ref does not resolve.
 */
export function getRefTypeForSchema(schema) {
  return (name, referrerName, ...sites) => {
    const typeDef = findCombinedSchemaType(schema, name);
    if (typeDef === undefined) {
      throw schemaError(
        referrerName
          ? `Invalid ref. ${referrerName} is referring to ${name} which is not defined in the schema`
          : `Invalid ref. ${name} is not defined in the schema`,
        ...sites,
      );
    }
    if (isInternalModel(typeDef)) return { type: 'Model', def: typeDef };
    if (isCustomOperation(typeDef)) return { type: 'CustomOperation', def: typeDef };
    if (isCustomType(typeDef)) return { type: 'CustomType', def: typeDef };
    if (isEnumType(typeDef)) return { type: 'Enum', def: typeDef };
    throw schemaError(
      referrerName
        ? `Invalid ref. ${referrerName} is referring to ${name} which is neither a Model, Custom Operation, Custom Type, or Enum`
        : `Invalid ref. ${name} is neither a Model, Custom Operation, Custom Type, or Enum`,
      ...sites,
    );
  };
}
