/**
 * The order workflow (workflow/order.asl.json) as an operator draws it: the three waits, the
 * ends, and the transitions between them, laid out for an SVG; and where an order is in it,
 * derived from the order's status and fields alone. Those fields are what `onOrderUpdated`
 * carries, so the drawing follows an order live, on AWS as well as locally, with no access to
 * Step Functions. Pure data and functions (no React), checked against the ASL by a unit test.
 *
 * Simplified: Choice states and the guarded timeout writes (CancelFor*Timeout, ReloadAfter*,
 * *AtTimeout, Ended) are the edges' business, not nodes. What the fields cannot tell: an overdue
 * delivery fails the execution but leaves the order OUT_FOR_DELIVERY, so DeliveryOverdue is
 * drawn but never highlighted (`npm run order` reads the execution itself).
 */
import type { Order } from '../../generated/graphql.js';

export type WorkflowNodeId =
  'AwaitStoreDecision' | 'AwaitPickup' | 'AwaitDelivery' | 'Delivered' | 'Declined' | 'Cancelled' | 'TimedOut' | 'DeliveryOverdue';

export interface WorkflowNode {
  readonly id: WorkflowNodeId;
  /** What an operator reads: "Waiting for the store". */
  readonly label: string;
  /** The ASL states this node stands for (its id first). */
  readonly aslStates: readonly string[];
  readonly end: boolean;
  /** Top-left corner in the drawing's coordinates (see {@link DIAGRAM_SIZE}). */
  readonly x: number;
  readonly y: number;
}

export interface WorkflowEdge {
  readonly from: WorkflowNodeId;
  readonly to: WorkflowNodeId;
  readonly label: string;
}

export const NODE_SIZE = { width: 150, height: 50 } as const;
export const DIAGRAM_SIZE = { width: 810, height: 250 } as const;

const COLUMNS = [20, 230, 440, 650] as const;
const ROWS = { top: 10, main: 100, bottom: 190 } as const;

export const WORKFLOW_NODES: readonly WorkflowNode[] = [
  {
    id: 'AwaitStoreDecision',
    label: 'Waiting for the store',
    aslStates: ['AwaitStoreDecision', 'WasAccepted'],
    end: false,
    x: COLUMNS[0],
    y: ROWS.main,
  },
  { id: 'AwaitPickup', label: 'Waiting for a driver', aslStates: ['AwaitPickup'], end: false, x: COLUMNS[1], y: ROWS.main },
  { id: 'AwaitDelivery', label: 'Out for delivery', aslStates: ['AwaitDelivery'], end: false, x: COLUMNS[2], y: ROWS.main },
  { id: 'Delivered', label: 'Delivered', aslStates: ['Delivered'], end: true, x: COLUMNS[3], y: ROWS.main },
  { id: 'Declined', label: 'Declined', aslStates: ['Declined'], end: true, x: COLUMNS[0], y: ROWS.top },
  { id: 'Cancelled', label: 'Customer cancelled', aslStates: ['Cancelled'], end: true, x: COLUMNS[0], y: ROWS.bottom },
  { id: 'TimedOut', label: 'Timed out, cancelled', aslStates: ['TimedOut'], end: true, x: COLUMNS[1], y: ROWS.bottom },
  { id: 'DeliveryOverdue', label: 'Overdue (alarm)', aslStates: ['DeliveryOverdue'], end: true, x: COLUMNS[2], y: ROWS.bottom },
];

export const WORKFLOW_EDGES: readonly WorkflowEdge[] = [
  { from: 'AwaitStoreDecision', to: 'AwaitPickup', label: 'accepted' },
  { from: 'AwaitStoreDecision', to: 'Declined', label: 'declined' },
  { from: 'AwaitStoreDecision', to: 'Cancelled', label: 'cancelled' },
  { from: 'AwaitStoreDecision', to: 'TimedOut', label: 'store timeout' },
  { from: 'AwaitPickup', to: 'AwaitDelivery', label: 'picked up' },
  { from: 'AwaitPickup', to: 'TimedOut', label: 'pickup timeout' },
  { from: 'AwaitDelivery', to: 'Delivered', label: 'delivered' },
  { from: 'AwaitDelivery', to: 'DeliveryOverdue', label: 'timeout' },
];

/**
 * ASL states drawn as part of an edge, not as a node: the choices after a wait and the guarded
 * timeout handling (a decision that lands at the same moment as the timeout still wins).
 */
export const ASL_STATES_ON_EDGES: readonly string[] = [
  'CancelForStoreTimeout',
  'ReloadAfterStoreTimeout',
  'AcceptedAtTimeout',
  'CancelForPickupTimeout',
  'ReloadAfterPickupTimeout',
  'PickedUpAtTimeout',
  'ReloadAfterDeliveryTimeout',
  'DeliveredAtTimeout',
  // The rare end of a timeout race where the order had moved to a status the workflow does not follow.
  'Ended',
];

export interface WorkflowPosition {
  /** Where the order is now. */
  readonly current: WorkflowNodeId;
  /** The nodes it went through before, in order. */
  readonly passed: readonly WorkflowNodeId[];
}

/** Where an order is in the workflow, from its status and fields. */
export function workflowPositionOf(order: Pick<Order, 'status' | 'cancellationReason'>): WorkflowPosition {
  switch (order.status) {
    case 'PLACED':
      return { current: 'AwaitStoreDecision', passed: [] };
    case 'ACCEPTED':
      return { current: 'AwaitPickup', passed: ['AwaitStoreDecision'] };
    case 'OUT_FOR_DELIVERY':
      return { current: 'AwaitDelivery', passed: ['AwaitStoreDecision', 'AwaitPickup'] };
    case 'DELIVERED':
      return { current: 'Delivered', passed: ['AwaitStoreDecision', 'AwaitPickup', 'AwaitDelivery'] };
    case 'DECLINED':
      return { current: 'Declined', passed: ['AwaitStoreDecision'] };
    case 'CANCELLED':
      // Customers cancel before the store accepts; a store timeout cancels before, a pickup timeout after.
      if (order.cancellationReason === 'PICKUP_TIMEOUT') return { current: 'TimedOut', passed: ['AwaitStoreDecision', 'AwaitPickup'] };
      return { current: order.cancellationReason === 'STORE_TIMEOUT' ? 'TimedOut' : 'Cancelled', passed: ['AwaitStoreDecision'] };
  }
}

/** True for the edges the order has travelled (consecutive nodes of its path). */
export function edgeTaken(edge: WorkflowEdge, position: WorkflowPosition): boolean {
  const path = [...position.passed, position.current];
  return path.some((node, i) => node === edge.from && path[i + 1] === edge.to);
}

export function nodeById(id: WorkflowNodeId): WorkflowNode {
  const node = WORKFLOW_NODES.find((n) => n.id === id);
  if (node === undefined) throw new Error(`no workflow node ${id}`);
  return node;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** An edge as a segment from the border of its source box to the border of its target box. */
export function edgeSegment(edge: WorkflowEdge): { readonly start: Point; readonly end: Point } {
  const from = nodeById(edge.from);
  const to = nodeById(edge.to);
  const centre = (n: WorkflowNode): Point => ({ x: n.x + NODE_SIZE.width / 2, y: n.y + NODE_SIZE.height / 2 });
  const a = centre(from);
  const b = centre(to);
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  // The fraction of the centre-to-centre line inside one box.
  const inside = Math.min(
    dx === 0 ? Infinity : NODE_SIZE.width / 2 / Math.abs(dx),
    dy === 0 ? Infinity : NODE_SIZE.height / 2 / Math.abs(dy),
  );
  return {
    start: { x: a.x + dx * inside, y: a.y + dy * inside },
    end: { x: b.x - dx * inside, y: b.y - dy * inside },
  };
}
