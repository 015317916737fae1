import type { Schema } from '../../data/resource';

class OrderRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderRejected';
  }
}

export const handler: Schema['fail']['functionHandler'] = async (event) => {
  throw new OrderRejected(`rejected: ${event.arguments.reason}`);
};
