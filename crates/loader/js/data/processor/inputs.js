// Arguments of custom operations: the argument list and the `input <X>Input` types they need
// (refs to custom types, inline custom types, nested ones), plus inline enums to hoist.
import { capitalize, schemaError } from '../util.js';
import { isCustomType, isEnumType, isRefField, isScalarField } from './refs.js';
import { scalarFieldToGql } from './gql.js';

function typeSuffix(name, { valueRequired, array, arrayRequired }) {
  let field = name;
  if (valueRequired === true) field += '!';
  if (array) {
    field = `[${field}]`;
    if (arrayRequired === true) field += '!';
  }
  return field;
}

/**
 * @returns {{ inputTypes: {name: string, fields: object}[], argDefinitions: string[], collectedEnums: Map<string, object> }}
 */
export function generateInputTypes(operationName, args, getRefType, site) {
  const inputTypes = [];
  const argDefinitions = [];
  const collectedEnums = new Map();
  const processedTypes = new Set();

  const processNonScalarFields = (fields, originalTypeName, isParentRef = false, parentChain = []) => {
    const processed = {};
    for (const [fieldName, fieldDef] of Object.entries(fields)) {
      if (isRefField(fieldDef)) {
        const refType = getRefType(fieldDef.data.link, originalTypeName, fieldDef, site);
        if (refType.type === 'CustomType') {
          const nestedName = `${fieldDef.data.link}Input`;
          processed[fieldName] = {
            data: {
              type: 'ref',
              link: nestedName,
              array: fieldDef.data.array,
              arrayRequired: fieldDef.data.arrayRequired,
              valueRequired: fieldDef.data.valueRequired,
            },
          };
          if (!parentChain.includes(nestedName) && !processedTypes.has(nestedName)) {
            processedTypes.add(nestedName);
            const nestedFields = processNonScalarFields(
              refType.def.data.fields,
              fieldDef.data.link,
              true,
              [...parentChain, nestedName],
            );
            inputTypes.push({ name: nestedName, fields: nestedFields });
          }
        } else if (refType.type === 'Enum') {
          processed[fieldName] = {
            data: {
              type: 'ref',
              link: fieldDef.data.link,
              array: fieldDef.data.array,
              arrayRequired: fieldDef.data.arrayRequired,
              valueRequired: fieldDef.data.valueRequired,
            },
          };
        } else {
          throw schemaError(
            `Unsupported reference type '${refType.type}' for field '${fieldName}'. ` +
              `Only references to CustomType and Enum are supported.`,
            fieldDef,
            site,
          );
        }
      } else if (isCustomType(fieldDef)) {
        const nestedName = `${capitalize(originalTypeName)}${capitalize(fieldName)}Input`;
        processed[fieldName] = { data: { type: 'ref', link: nestedName } };
        if (!processedTypes.has(nestedName)) {
          processedTypes.add(nestedName);
          const nestedFields = processNonScalarFields(
            fieldDef.data.fields,
            `${capitalize(originalTypeName)}${capitalize(fieldName)}`,
            isParentRef,
            [...parentChain, nestedName],
          );
          inputTypes.push({ name: nestedName, fields: nestedFields });
        }
      } else if (isEnumType(fieldDef)) {
        const enumName = `${capitalize(originalTypeName)}${capitalize(fieldName)}`;
        if (!collectedEnums.has(enumName) && !isParentRef) {
          collectedEnums.set(enumName, fieldDef);
        }
        processed[fieldName] = { data: { type: 'ref', link: enumName } };
      } else {
        processed[fieldName] = fieldDef;
      }
    }
    return processed;
  };

  for (const [argName, argDef] of Object.entries(args)) {
    if (isRefField(argDef)) {
      const refType = getRefType(argDef.data.link, operationName, argDef, site);
      if (refType.type === 'CustomType') {
        const inputTypeName = `${argDef.data.link}Input`;
        argDefinitions.push(`${argName}: ${typeSuffix(inputTypeName, argDef.data)}`);
        if (!processedTypes.has(inputTypeName)) {
          processedTypes.add(inputTypeName);
          const fields = processNonScalarFields(refType.def.data.fields, argDef.data.link, true, [
            inputTypeName,
          ]);
          inputTypes.push({ name: inputTypeName, fields });
        }
      } else if (refType.type === 'Enum') {
        argDefinitions.push(`${argName}: ${typeSuffix(argDef.data.link, argDef.data)}`);
      } else {
        throw schemaError(
          `Unsupported reference type '${refType.type}' for argument '${argName}' in '${operationName}'. ` +
            `Only references to CustomType and Enum are supported.`,
          argDef,
          site,
        );
      }
    } else if (isEnumType(argDef)) {
      const enumName = `${capitalize(operationName)}${capitalize(argName)}`;
      if (!collectedEnums.has(enumName)) collectedEnums.set(enumName, argDef);
      argDefinitions.push(`${argName}: ${enumName}`);
    } else if (isCustomType(argDef)) {
      const inputTypeName = `${capitalize(operationName)}${capitalize(argName)}Input`;
      argDefinitions.push(`${argName}: ${inputTypeName}`);
      if (!processedTypes.has(inputTypeName)) {
        processedTypes.add(inputTypeName);
        const fields = processNonScalarFields(
          argDef.data.fields,
          `${capitalize(operationName)}${capitalize(argName)}`,
          false,
          [inputTypeName],
        );
        inputTypes.push({ name: inputTypeName, fields });
      }
    } else if (isScalarField(argDef)) {
      argDefinitions.push(`${argName}: ${scalarFieldToGql(argDef.data)}`);
    } else {
      throw schemaError(`Unsupported argument type for ${argName}`, argDef, site);
    }
  }

  return { inputTypes, argDefinitions, collectedEnums };
}
