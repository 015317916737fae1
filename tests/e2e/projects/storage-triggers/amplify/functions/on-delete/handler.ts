import type { S3Handler } from 'aws-lambda';
import { env } from '$amplify/env/on-delete';
import { record } from '../record';

export const handler: S3Handler = async (event) => {
  record('on-delete', event, env.TRIGGER_TAG);
};
