/**
 * The IAM permissions a workflow's own role needs, read from its ASL: each Task state's service
 * integration names an action, and its `${Placeholder}` parameter names the resource. Deriving
 * them from the definition keeps the role exact as the workflow changes, and an integration this
 * module does not know fails the synth instead of deploying a workflow that cannot run.
 */

/** Actions needed on the resource that replaces `placeholder`. */
export interface WorkflowPermission {
  readonly placeholder: string;
  readonly actions: readonly string[];
}

export class UnsupportedIntegrationError extends Error {
  override readonly name = 'UnsupportedIntegrationError';
  constructor(state: string, detail: string) {
    super(`workflow state ${state}: ${detail}`);
  }
}

/** Optimised integrations → IAM action and the parameter naming the resource. */
const INTEGRATIONS: Readonly<Record<string, { readonly action: string; readonly parameter: string }>> = {
  'lambda:invoke': { action: 'lambda:InvokeFunction', parameter: 'FunctionName' },
  'lambda:invoke.waitForTaskToken': { action: 'lambda:InvokeFunction', parameter: 'FunctionName' },
  'dynamodb:getItem': { action: 'dynamodb:GetItem', parameter: 'TableName' },
  'dynamodb:putItem': { action: 'dynamodb:PutItem', parameter: 'TableName' },
  'dynamodb:updateItem': { action: 'dynamodb:UpdateItem', parameter: 'TableName' },
  'dynamodb:deleteItem': { action: 'dynamodb:DeleteItem', parameter: 'TableName' },
  'sns:publish': { action: 'sns:Publish', parameter: 'TopicArn' },
  'sns:publish.waitForTaskToken': { action: 'sns:Publish', parameter: 'TopicArn' },
};

const INTEGRATION_PREFIX = 'arn:aws:states:::';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function collectStates(states: unknown, into: [string, Record<string, unknown>][]): void {
  if (!isRecord(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isRecord(state)) continue;
    into.push([name, state]);
    // Nested state machines: Parallel branches and Map processors.
    if (Array.isArray(state.Branches)) for (const b of state.Branches) if (isRecord(b)) collectStates(b.States, into);
    for (const key of ['ItemProcessor', 'Iterator']) {
      const inner = state[key];
      if (isRecord(inner)) collectStates(inner.States, into);
    }
  }
}

/** Permissions per placeholder, actions sorted, in first-use order. */
export function workflowPermissions(definition: unknown): WorkflowPermission[] {
  if (!isRecord(definition)) throw new UnsupportedIntegrationError('(root)', 'the definition is not a JSON object');
  const states: [string, Record<string, unknown>][] = [];
  collectStates(definition.States, states);
  const byPlaceholder = new Map<string, Set<string>>();
  for (const [name, state] of states) {
    if (state.Type !== 'Task') continue;
    const resource = state.Resource;
    if (typeof resource !== 'string' || !resource.startsWith(INTEGRATION_PREFIX)) {
      throw new UnsupportedIntegrationError(name, `Resource ${JSON.stringify(resource)} is not an optimised service integration`);
    }
    const integration = INTEGRATIONS[resource.slice(INTEGRATION_PREFIX.length)];
    if (integration === undefined) throw new UnsupportedIntegrationError(name, `no IAM mapping for ${resource}`);
    const parameters = isRecord(state.Parameters) ? state.Parameters : {};
    const target = parameters[integration.parameter];
    const match = typeof target === 'string' ? /^\$\{(\w+)\}$/.exec(target) : null;
    if (match?.[1] === undefined) {
      throw new UnsupportedIntegrationError(
        name,
        `${integration.parameter} must be a literal \${Placeholder} so the role can name the resource`,
      );
    }
    const actions = byPlaceholder.get(match[1]) ?? new Set<string>();
    actions.add(integration.action);
    byPlaceholder.set(match[1], actions);
  }
  return [...byPlaceholder].map(([placeholder, actions]) => ({ placeholder, actions: [...actions].sort() }));
}
