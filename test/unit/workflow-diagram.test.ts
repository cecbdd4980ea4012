/**
 * The operator's workflow drawing (web-demo/src/workflowDiagram.ts): it says what
 * workflow/order.asl.json does (every ASL state drawn once, as a node or on an edge; every edge a
 * real path through the ASL), and each status lands on the right node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES } from '../../domain/order.js';
import {
  ASL_STATES_ON_EDGES,
  DIAGRAM_SIZE,
  edgeSegment,
  edgeTaken,
  NODE_SIZE,
  WORKFLOW_EDGES,
  WORKFLOW_NODES,
  workflowPositionOf,
} from '../../web-demo/src/workflowDiagram.js';
import { apiOrder } from '../factories.js';

interface AslState {
  readonly Next?: string;
  readonly Default?: string;
  readonly Choices?: readonly { readonly Next: string }[];
  readonly Catch?: readonly { readonly Next: string }[];
}
const asl = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'workflow', 'order.asl.json'), 'utf8')) as {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
};

function successors(name: string): string[] {
  const s = asl.States[name];
  if (s === undefined) return [];
  return [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].filter(
    (n): n is string => n !== undefined,
  );
}

/** True when the ASL goes from one of `from` to one of `to` through edge-only states alone. */
function aslPath(from: readonly string[], to: readonly string[], through: ReadonlySet<string>): boolean {
  const seen = new Set<string>();
  const queue = [...from.flatMap(successors)];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    if (to.includes(state)) return true;
    if (seen.has(state) || !through.has(state)) continue;
    seen.add(state);
    queue.push(...successors(state));
  }
  return false;
}

describe('the workflow drawing', () => {
  it('draws every state of order.asl.json once, as a node or on an edge, and starts where the ASL starts', () => {
    const drawn = [...WORKFLOW_NODES.flatMap((n) => n.aslStates), ...ASL_STATES_ON_EDGES];

    expect([...drawn].sort()).toEqual(Object.keys(asl.States).sort());
    expect(WORKFLOW_NODES[0]?.aslStates).toContain(asl.StartAt);
  });

  it('has an edge only where the ASL has a path, and one for each way out of a wait', () => {
    const nodeStates = (id: string) => WORKFLOW_NODES.find((n) => n.id === id)?.aslStates ?? [];
    for (const edge of WORKFLOW_EDGES) {
      // Inside a node, its own states (e.g. WasAccepted after AwaitStoreDecision) are passed through too.
      const through = new Set([...ASL_STATES_ON_EDGES, ...nodeStates(edge.from)]);
      expect(aslPath(nodeStates(edge.from), nodeStates(edge.to), through), `${edge.from} → ${edge.to}`).toBe(true);
    }
    for (const node of WORKFLOW_NODES.filter((n) => !n.end)) {
      const reachable = WORKFLOW_NODES.filter(
        (m) => m !== node && aslPath(node.aslStates, m.aslStates, new Set([...ASL_STATES_ON_EDGES, ...node.aslStates])),
      );
      const drawnTargets = WORKFLOW_EDGES.filter((e) => e.from === node.id).map((e) => e.to);
      expect(drawnTargets.sort(), node.id).toEqual(reachable.map((m) => m.id).sort());
    }
  });

  it('keeps every node and edge inside the drawing', () => {
    for (const node of WORKFLOW_NODES) {
      expect(node.x + NODE_SIZE.width).toBeLessThanOrEqual(DIAGRAM_SIZE.width);
      expect(node.y + NODE_SIZE.height).toBeLessThanOrEqual(DIAGRAM_SIZE.height);
    }
    const { start, end } = edgeSegment({ from: 'AwaitStoreDecision', to: 'AwaitPickup', label: '' });
    expect(start).toEqual({ x: 20 + NODE_SIZE.width, y: 125 });
    expect(end).toEqual({ x: 230, y: 125 });
  });
});

describe('workflowPositionOf', () => {
  const CASES = [
    { order: apiOrder({ status: 'PLACED' }), current: 'AwaitStoreDecision', passed: [] },
    { order: apiOrder({ status: 'ACCEPTED' }), current: 'AwaitPickup', passed: ['AwaitStoreDecision'] },
    { order: apiOrder({ status: 'OUT_FOR_DELIVERY' }), current: 'AwaitDelivery', passed: ['AwaitStoreDecision', 'AwaitPickup'] },
    { order: apiOrder({ status: 'DELIVERED' }), current: 'Delivered', passed: ['AwaitStoreDecision', 'AwaitPickup', 'AwaitDelivery'] },
    { order: apiOrder({ status: 'DECLINED' }), current: 'Declined', passed: ['AwaitStoreDecision'] },
    {
      order: apiOrder({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' }),
      current: 'Cancelled',
      passed: ['AwaitStoreDecision'],
    },
    { order: apiOrder({ status: 'CANCELLED', cancellationReason: 'STORE_TIMEOUT' }), current: 'TimedOut', passed: ['AwaitStoreDecision'] },
    {
      order: apiOrder({ status: 'CANCELLED', cancellationReason: 'PICKUP_TIMEOUT' }),
      current: 'TimedOut',
      passed: ['AwaitStoreDecision', 'AwaitPickup'],
    },
  ] as const;

  it.each(CASES)('puts a $order.status order ($order.cancellationReason) on $current', ({ order, current, passed }) => {
    expect(workflowPositionOf(order)).toEqual({ current, passed });
  });

  it('reaches each place along drawn edges, for every status', () => {
    expect(new Set(CASES.map((c) => c.order.status))).toEqual(new Set(ORDER_STATUSES));
    for (const { order } of CASES) {
      const position = workflowPositionOf(order);
      expect(
        WORKFLOW_EDGES.filter((e) => edgeTaken(e, position)),
        order.status,
      ).toHaveLength(position.passed.length);
    }
  });
});
