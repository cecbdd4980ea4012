export { startCognitoUserPool, InvalidUserPoolFileError, type CognitoUserPool, type CognitoUserPoolOptions } from './server.js';
export { CognitoError, ErrorCode, Operation } from './protocol.js';
export { InvalidKeyFileError, type PublicJwk } from './jwt.js';
export type { TokenValidity } from './tokens.js';
export type { AuthFlow, CreateUserInput } from './user-pool.js';
