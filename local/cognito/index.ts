export { startCognitoUserPool, InvalidUserPoolFileError, type CognitoUserPool, type CognitoUserPoolOptions } from './server.js';
export { CognitoError, ErrorCode, Operation } from './protocol.js';
export { InvalidKeyFileError, type PublicJwk } from './jwt.js';
export type { AuthFlow, CreateUserInput, TokenValidity } from './user-pool.js';
