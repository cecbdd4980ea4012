import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifest } from '../infra/manifest.js';
import { DEFAULT_API_AUTH, planManifest } from '../infra/manifest-plan.js';
import { LOCAL_IAM_PRINCIPAL } from './appsync/server/index.js';
import { localApiAuth } from './stack-auth.js';

const schemaSdl = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
const plan = planManifest(manifest, schemaSdl);
const stranger = { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 's', arn: 'arn:aws:iam::000000000000:role/stranger' };

describe('localApiAuth', () => {
  it("serves the manifest's modes: user pools the default, IAM and the API key additional", () => {
    expect(localApiAuth(plan).authModes).toEqual({ defaultMode: 'AMAZON_COGNITO_USER_POOLS', additionalModes: ['AWS_IAM', 'API_KEY'] });
  });

  it('grants publishOrderUpdate to the handlers’ shared principal, and nothing else to anyone', () => {
    expect(localApiAuth(plan).iamGrants).toEqual({ 'Mutation.publishOrderUpdate': [LOCAL_IAM_PRINCIPAL.arn] });
  });

  it('knows an extra principal without granting it anything', () => {
    const auth = localApiAuth(plan, [stranger]);
    expect(auth.iamPrincipals).toEqual([LOCAL_IAM_PRINCIPAL, stranger]);
    expect(Object.values(auth.iamGrants).flat()).not.toContain(stranger.arn);
  });

  it('keeps the API key alone for a manifest without auth', () => {
    const { auth: _omitted, ...small } = manifest;
    expect(localApiAuth(planManifest(small, schemaSdl)).authModes).toEqual(DEFAULT_API_AUTH);
  });
});
