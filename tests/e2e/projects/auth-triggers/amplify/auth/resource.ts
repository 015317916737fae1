import { defineAuth } from '@aws-amplify/backend';
import { customMessage } from './custom-message/resource';
import { postAuthentication } from './post-authentication/resource';
import { postConfirmation } from './post-confirmation/resource';
import { preAuthentication } from './pre-authentication/resource';
import { preSignUp } from './pre-sign-up/resource';
import { preTokenGeneration } from './pre-token-generation/resource';
import { userMigration } from './user-migration/resource';

export const auth = defineAuth({
  loginWith: { email: true },
  triggers: {
    preSignUp,
    postConfirmation,
    preAuthentication,
    postAuthentication,
    preTokenGeneration,
    customMessage,
    userMigration,
  },
});
