import type { Schema } from '../../data/resource';

export const handler: Schema['echo']['functionHandler'] = async (event) => {
  const { msg, times } = event.arguments;
  return Array.from({ length: times ?? 1 }, () => msg).join(' ');
};
