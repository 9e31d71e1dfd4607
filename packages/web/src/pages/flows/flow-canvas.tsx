import '@xyflow/react/dist/style.css';
import { Alert, Box } from '@mantine/core';
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  type Connection,
  Controls,
  type EdgeChange,
  MarkerType,
  MiniMap,
  type NodeChange,
  ReactFlow,
  useReactFlow,
} from '@xyflow/react';
import { type DragEvent, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { addNode, pinLayout, removeNodes, setPosition } from './flow-document';
import {
  drawableEdges,
  edgeId,
  type FlowGraphEdge,
  type FlowGraphNode,
  fromGraph,
  toGraph,
} from './flow-graph';
import { FlowNodeCard } from './flow-node-card';
import { type FlowDoc, isVerb, type Verb, verbColor } from './flow-verbs';

export const VERB_DRAG_TYPE = 'application/x-hotline-verb';
const nodeTypes = { flow: FlowNodeCard };

interface FlowCanvasProps {
  doc: FlowDoc;
  onChange: (doc: FlowDoc) => void;
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  /** Nodes a validation issue points into (red border). */
  issueNodes: ReadonlySet<string>;
  /** The node the test run waits at (highlighted). */
  currentNode: string | null;
  readOnly: boolean;
}

/**
 * The graph view of the document: drag to move (positions go to `ui.positions`), drag from an outcome
 * handle to a node to connect it (replacing that outcome's edge), Delete to remove the selection, drop
 * a palette verb to add a node. Every change goes back to the document, which is then drawn again.
 */
export function FlowCanvas(props: FlowCanvasProps) {
  const { t } = useTranslation('flows');
  const { doc, onChange, readOnly } = props;
  const { screenToFlowPosition, getNode, getZoom, setCenter } = useReactFlow();
  const converted = useMemo(() => toGraph(doc), [doc]);
  const [nodes, setNodes] = useState<FlowGraphNode[]>([]);
  const [edges, setEdges] = useState<FlowGraphEdge[]>([]);
  // Where each unplaced node was first laid out: it stays there while edges change around it, instead
  // of the automatic layout moving it (only a drag writes a position into the document).
  const firstLayout = useRef(new Map<string, { x: number; y: number }>());

  useEffect(() => {
    if (!converted.ok) return;
    setNodes(
      converted.graph.nodes.map((n) => ({
        ...n,
        position: n.data.placed ? n.position : steady(firstLayout.current, n.id, n.position),
        selected: n.id === props.selectedId,
        data: { ...n.data, issue: props.issueNodes.has(n.id), current: n.id === props.currentNode },
      })),
    );
  }, [converted, props.selectedId, props.issueNodes, props.currentNode]);
  useEffect(() => {
    if (!converted.ok) return;
    setEdges(
      drawableEdges(converted.graph).map((e) => ({
        ...e,
        markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
        labelBgPadding: [4, 2] as [number, number],
        labelBgBorderRadius: 4,
        labelStyle: { fontSize: 11, fontWeight: 600 },
        style: { strokeWidth: 1.5 },
        animated: e.source === props.currentNode,
      })),
    );
  }, [converted, props.currentNode]);

  // Follow the test run: bring the node it waits at into the middle of the view.
  useEffect(() => {
    const node = props.currentNode ? getNode(props.currentNode) : undefined;
    if (!node) return;
    const { width = 230, height = 90 } = node.measured ?? {};
    void setCenter(node.position.x + width / 2, node.position.y + height / 2, {
      zoom: getZoom(),
      duration: 250,
    });
  }, [props.currentNode, getNode, getZoom, setCenter]);

  if (!converted.ok) {
    return (
      <Alert color="orange" m="md" data-testid="flow-no-graph">
        {t('flowEditor.noGraph')}
      </Alert>
    );
  }
  const graph = converted.graph;

  const connect = (connection: Connection) => {
    const outcome = connection.sourceHandle;
    if (!outcome) return;
    const kept = graph.edges.filter((e) => !(e.source === connection.source && e.sourceHandle === outcome));
    const added: FlowGraphEdge = {
      id: edgeId(connection.source, outcome),
      source: connection.source,
      sourceHandle: outcome,
      target: connection.target,
      data: { outcome },
    };
    onChange(fromGraph(doc, { nodes: graph.nodes, edges: [...kept, added] }));
  };

  const drop = (event: DragEvent) => {
    event.preventDefault();
    const verb = event.dataTransfer.getData(VERB_DRAG_TYPE);
    if (readOnly || !isVerb(verb)) return;
    const position = screenToFlowPosition({ x: event.clientX, y: event.clientY });
    const added = addNode(pinLayout(doc, nodes), verb, position);
    onChange(added.doc);
    props.onSelect(added.id);
  };

  return (
    <Box h="100%" onDragOver={(e) => e.preventDefault()} onDrop={drop} data-testid="flow-canvas">
      <ReactFlow<FlowGraphNode, FlowGraphEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={(changes: NodeChange<FlowGraphNode>[]) =>
          setNodes((ns) => applyNodeChanges(changes, ns))
        }
        onEdgesChange={(changes: EdgeChange<FlowGraphEdge>[]) =>
          setEdges((es) =>
            applyEdgeChanges(
              changes.filter((c) => c.type !== 'remove'),
              es,
            ),
          )
        }
        onNodeDragStop={(_event, _node, dragged) => {
          let next = pinLayout(doc, nodes);
          for (const n of dragged) next = setPosition(next, n.id, n.position);
          onChange(next);
        }}
        onConnect={connect}
        onDelete={({ nodes: goneNodes, edges: goneEdges }) => {
          const goneIds = new Set(goneNodes.map((n) => n.id));
          const goneEdgeIds = new Set(goneEdges.map((e) => e.id));
          let next = fromGraph(doc, {
            nodes: graph.nodes,
            edges: graph.edges.filter((e) => !goneEdgeIds.has(e.id)),
          });
          if (goneIds.size > 0) next = removeNodes(next, [...goneIds]);
          onChange(next);
          if (props.selectedId && goneIds.has(props.selectedId)) props.onSelect(null);
        }}
        onNodeClick={(_event, node) => props.onSelect(node.id)}
        onPaneClick={() => props.onSelect(null)}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
        minZoom={0.2}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} />
        <Controls showInteractive={false} />
        <MiniMap
          style={{ width: 150, height: 100 }}
          pannable
          zoomable
          nodeColor={(n) => {
            const verb = (n.data as FlowGraphNode['data']).node?.verb;
            return isVerb(verb)
              ? `var(--mantine-color-${verbColor[verb as Verb]}-4)`
              : 'var(--mantine-color-red-4)';
          }}
        />
      </ReactFlow>
    </Box>
  );
}

function steady(
  memory: Map<string, { x: number; y: number }>,
  id: string,
  position: { x: number; y: number },
) {
  const seen = memory.get(id);
  if (seen) return seen;
  memory.set(id, position);
  return position;
}
