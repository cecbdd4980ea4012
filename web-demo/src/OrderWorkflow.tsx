/**
 * The order workflow drawn for an operator, with the selected order's place in it highlighted,
 * following the order live (the list it is given is a live one). The place is derived from the
 * order's fields (workflowDiagram.ts), so this works against AWS exactly as locally.
 */
import { useId, useState } from 'react';
import type { Order } from '../../generated/graphql.js';
import { orderNumber, STATUS_LABELS } from './orders.js';
import {
  DIAGRAM_SIZE,
  edgeSegment,
  edgeTaken,
  nodeById,
  NODE_SIZE,
  WORKFLOW_EDGES,
  WORKFLOW_NODES,
  workflowPositionOf,
  type WorkflowPosition,
} from './workflowDiagram.js';
import './workflow.css';

/** `orders` newest first (as the live lists keep them); until one is picked, the newest is shown. */
export function OrderWorkflow({ orders }: { orders: readonly Order[] | null }) {
  const [picked, setPicked] = useState<string | null>(null);
  const captionId = useId();
  const selectId = useId();
  if (orders === null || orders.length === 0) return null;
  const order = orders.find((o) => o.orderId === picked) ?? orders[0]!;
  const position = workflowPositionOf(order);
  const current = nodeById(position.current);
  return (
    <figure className="workflow" aria-labelledby={captionId}>
      <div className="field inline">
        <label htmlFor={selectId}>Workflow of</label>
        <select id={selectId} value={order.orderId} onChange={(e) => setPicked(e.target.value)}>
          {orders.map((o) => (
            <option key={o.orderId} value={o.orderId}>
              {orderNumber(o.orderId)}
            </option>
          ))}
        </select>
      </div>
      <figcaption id={captionId}>
        Workflow of order {orderNumber(order.orderId)} ({STATUS_LABELS[order.status]}): {current.label.toLowerCase()}, state{' '}
        <code>{current.id}</code>
      </figcaption>
      <WorkflowDrawing position={position} />
    </figure>
  );
}

function WorkflowDrawing({ position }: { position: WorkflowPosition }) {
  const markerId = useId();
  return (
    <svg className="workflow-drawing" viewBox={`0 0 ${DIAGRAM_SIZE.width} ${DIAGRAM_SIZE.height}`} aria-hidden="true">
      <defs>
        <marker id={markerId} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" className="wf-arrow" />
        </marker>
      </defs>
      {WORKFLOW_EDGES.map((edge) => {
        const { start, end } = edgeSegment(edge);
        return (
          <g key={`${edge.from}-${edge.to}`} className={`wf-edge${edgeTaken(edge, position) ? ' wf-taken' : ''}`}>
            <line x1={start.x} y1={start.y} x2={end.x} y2={end.y} markerEnd={`url(#${markerId})`} />
            <text x={(start.x + end.x) / 2} y={(start.y + end.y) / 2 - 5} textAnchor="middle">
              {edge.label}
            </text>
          </g>
        );
      })}
      {WORKFLOW_NODES.map((node) => {
        const state = node.id === position.current ? 'current' : position.passed.includes(node.id) ? 'passed' : 'other';
        return (
          <g key={node.id} className={`wf-node wf-${state}${node.end ? ' wf-end' : ''}`} data-state={node.id}>
            <rect x={node.x} y={node.y} width={NODE_SIZE.width} height={NODE_SIZE.height} rx={node.end ? 25 : 8} />
            <text x={node.x + NODE_SIZE.width / 2} y={node.y + 21} textAnchor="middle" className="wf-label">
              {node.label}
            </text>
            <text x={node.x + NODE_SIZE.width / 2} y={node.y + 38} textAnchor="middle" className="wf-asl">
              {node.id}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
