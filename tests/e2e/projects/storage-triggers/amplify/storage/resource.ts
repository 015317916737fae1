import { defineStorage } from '@aws-amplify/backend';
import { onDelete } from '../functions/on-delete/resource';
import { onUpload } from '../functions/on-upload/resource';

export const storage = defineStorage({
  name: 'triggerFiles',
  triggers: {
    onUpload,
    onDelete,
  },
  access: (allow) => ({
    'public/*': [allow.guest.to(['read', 'write', 'delete'])],
  }),
});
