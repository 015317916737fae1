import type { Schema } from '../../data/resource';

export const handler: Schema['countWords']['functionHandler'] = async (event) => {
  const text = event.arguments.text;
  const words = text.split(/\s+/).filter((w) => w.length > 0).length;
  return { words, characters: text.length };
};
