// Checks of hasOne / hasMany / belongsTo fields: each side needs its counterpart with identical
// `references`, the references must exist on the child and match the parent's identifier.
import { ModelFieldType } from '../fields.js';
import { schemaError } from '../util.js';
import { isModelField } from './refs.js';

function describe(connectionField, modelName) {
  const related = connectionField.def.array
    ? `[${connectionField.def.relatedModel}]`
    : connectionField.def.relatedModel;
  const references =
    connectionField.def.references
      .reduce((description, reference) => description + `'${reference}', `, 'references: [')
      .slice(0, -2) + ']';
  return `${modelName}.${connectionField.name}: ${related} @${connectionField.def.type}(${references})`;
}

function counterpartTypes(relationshipType) {
  switch (relationshipType) {
    case 'hasOne':
    case 'hasMany':
      return ['belongsTo'];
    case 'belongsTo':
      return ['hasOne', 'hasMany'];
    default:
      return [];
  }
}

function identifierTypes(model) {
  return model.data.identifier.flatMap((fieldName) => {
    const field = model.data.fields[fieldName];
    if (field) return [field.data.fieldType];
    if (fieldName === 'id') return [ModelFieldType.Id];
    return [];
  });
}

function associatedConnectionField(sourceModelName, source, associatedModel) {
  const options = counterpartTypes(source.def.type);
  const candidates = Object.entries(associatedModel.data.fields).filter(([, field]) => {
    if (!isModelField(field)) return false;
    return (
      field.data.relatedModel === sourceModelName &&
      options.includes(field.data.type) &&
      field.data.references.length === source.def.references.length &&
      field.data.references.every((value, index) => value === source.def.references[index])
    );
  });
  if (candidates.length != 1) {
    const description = describe(source, sourceModelName);
    const message =
      candidates.length === 0
        ? `Unable to find associated relationship definition in ${source.def.relatedModel}`
        : `Found multiple relationship associations with ${candidates
            .map(([name]) => `${source.def.relatedModel}.${name}`)
            .join(', ')}`;
    throw schemaError(`${message} for ${description}`, source.builder);
  }
  const [name, field] = candidates[0];
  return { name, def: field.data, builder: field };
}

function modelRelationship(sourceModelName, source, getInternalModel) {
  const sourceModel = getInternalModel(sourceModelName, sourceModelName, source.builder);
  const associatedModel = getInternalModel(source.def.relatedModel, sourceModelName, source.builder);
  const related = associatedConnectionField(sourceModelName, source, associatedModel);
  switch (source.def.type) {
    case 'hasOne':
    case 'hasMany':
      return {
        parent: sourceModel,
        parentConnectionField: source,
        child: associatedModel,
        childConnectionField: related,
        references: source.def.references,
        site: source.builder,
      };
    case 'belongsTo':
      return {
        parent: associatedModel,
        parentConnectionField: related,
        child: sourceModel,
        childConnectionField: source,
        references: source.def.references,
        site: source.builder,
      };
    default:
      throw schemaError(`"${source.def.type}" is not a valid relationship type.`, source.builder);
  }
}

const idLike = [ModelFieldType.Id, ModelFieldType.String];
const matchingFieldType = (a, b) => a === b || (idLike.includes(a) && idLike.includes(b));

function validateReferences(relationship) {
  const { parent, parentConnectionField, child, childConnectionField, references, site } = relationship;
  const parentIdentifiers = identifierTypes(parent);
  const childReferenceTypes = [];
  for (const reference of references) {
    const referenceType = child.data.fields[reference]?.data.fieldType;
    if (!referenceType) {
      throw schemaError(
        `reference field '${reference}' must be defined on ${parentConnectionField.def.relatedModel}. ` +
          describe(parentConnectionField, childConnectionField.def.relatedModel) +
          ' <-> ' +
          describe(childConnectionField, parentConnectionField.def.relatedModel),
        site,
      );
    }
    childReferenceTypes.push(referenceType);
  }
  if (parentIdentifiers.length !== childReferenceTypes.length) {
    throw schemaError(
      `The identifiers defined on ${childConnectionField.def.relatedModel} must match the reference fields defined on ${parentConnectionField.def.relatedModel}.\n` +
        `${parentIdentifiers.length} identifiers defined on ${childConnectionField.def.relatedModel}.\n` +
        `${childReferenceTypes.length} reference fields found on ${parentConnectionField.def.relatedModel}`,
      site,
    );
  }
  parentIdentifiers
    .map((identifier, index) => [identifier, childReferenceTypes[index]])
    .forEach(([parentType, childType]) => {
      if (!matchingFieldType(parentType, childType)) {
        throw schemaError('Validate Error: types do not match', site);
      }
    });
}

/** Validates every relationship field of model `typeName`. */
export function validateRelationships(typeName, fields, getInternalModel) {
  for (const [name, field] of Object.entries(fields)) {
    if (!isModelField(field)) continue;
    const relationship = modelRelationship(
      typeName,
      { name, def: field.data, builder: field },
      getInternalModel,
    );
    validateReferences(relationship);
  }
}
