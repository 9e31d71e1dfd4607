import { describe, expect, it } from 'vitest';
import { addNode, nodeOfPath, pinLayout, removeNodes, renameNode, setPosition } from './flow-document';
import { drawableEdges, edgeId, type FlowGraph, fromGraph, toGraph } from './flow-graph';
import { type FlowDoc, newNode, outcomesOf, verbs } from './flow-verbs';

/** Every example flow of the repository, as text (Vite reads them at build time of the test). */
const files: Record<string, string> = import.meta.glob('../../../../../examples/flows/*.flow.json', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const examples = Object.entries(files).map(([path, text]) => [path.split('/').at(-1) ?? path, text] as const);

function graphOf(doc: unknown): FlowGraph {
  const result = toGraph(doc);
  if (!result.ok) throw new Error(result.reason);
  return result.graph;
}

describe('flow document ⇄ graph', () => {
  it('has the examples to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  it.each(examples)('%s round-trips to the identical JSON text', (_name, text) => {
    const doc = JSON.parse(text) as FlowDoc;
    const graph = graphOf(doc);
    // Through JSON text too, as the editor keeps and sends it.
    const back = fromGraph(doc, JSON.parse(JSON.stringify(graph)) as FlowGraph);
    expect(JSON.stringify(back, null, 2)).toBe(JSON.stringify(doc, null, 2));
    expect(back).not.toHaveProperty('ui');
  });

  it.each(examples)(
    '%s: one node per flow node, one labelled edge per outcome, the entry marked',
    (_name, text) => {
      const doc = JSON.parse(text) as FlowDoc & { entry: string; nodes: Record<string, { next?: object }> };
      const graph = graphOf(doc);
      expect(graph.nodes.map((n) => n.id)).toEqual(Object.keys(doc.nodes));
      const expected = Object.entries(doc.nodes).flatMap(([id, node]) =>
        Object.entries(node.next ?? {}).map(([outcome, to]) => ({
          id: edgeId(id, outcome),
          source: id,
          target: to,
          label: outcome,
        })),
      );
      expect(graph.edges.map(({ id, source, target, label }) => ({ id, source, target, label }))).toEqual(
        expected,
      );
      expect(graph.nodes.filter((n) => n.data.entry).map((n) => n.id)).toEqual([doc.entry]);
      for (const e of graph.edges) {
        expect(graph.nodes.find((n) => n.id === e.source)?.data.outcomes).toContain(e.sourceHandle);
      }
      // Auto layout: nodes do not sit on top of each other.
      const spots = new Set(graph.nodes.map((n) => `${n.position.x},${n.position.y}`));
      expect(spots.size).toBe(graph.nodes.length);
    },
  );

  it('keeps what the graph cannot show: dangling edges, odd next values, other ui data, stale positions', () => {
    const doc: FlowDoc = {
      ui: { zoom: 2, positions: { a: { x: 1.5, y: 2, note: 'hi' }, gone: { x: 0, y: 0 }, b: 'bad' } },
      id: 'f',
      nodes: {
        a: { next: { done: 'missing', weird: 3 }, text: 'x', verb: 'say' },
        b: { verb: 'hangup', next: 'oops' },
        c: 'not a node',
      },
      entry: 'a',
      version: 1,
    };
    const graph = graphOf(doc);
    expect(drawableEdges(graph)).toEqual([]);
    expect(graph.edges.map((e) => e.target)).toEqual(['missing']);
    expect(JSON.stringify(fromGraph(doc, graph))).toBe(JSON.stringify(doc));
  });

  it('folds canvas changes back: a moved node, a new edge, a removed edge', () => {
    const doc = JSON.parse(examples.find(([n]) => n === 'order-status.flow.json')![1]) as FlowDoc;
    const graph = graphOf(doc);
    const moved: FlowGraph = {
      nodes: graph.nodes.map((n) =>
        n.id === 'tell' ? { ...n, position: { x: 40, y: 80 }, data: { ...n.data, placed: true } } : n,
      ),
      edges: [
        ...graph.edges.filter((e) => e.id !== edgeId('known', 'false')),
        { id: 'x', source: 'greet', sourceHandle: 'extra', target: 'bye', data: { outcome: 'extra' } },
      ],
    };
    const back = fromGraph(doc, moved) as { ui: unknown; nodes: Record<string, { next?: object }> };
    expect(back.ui).toEqual({ positions: { tell: { x: 40, y: 80 } } });
    expect(Object.keys(back).at(-1)).toBe('ui');
    expect(back.nodes.known?.next).toEqual({ true: 'tell' });
    expect(back.nodes.greet?.next).toEqual({ done: 'ask_order', extra: 'bye' });
    expect(Object.keys(back.nodes)).toEqual(Object.keys(doc.nodes as object));
  });

  it('renames, removes and adds nodes without disturbing the rest', () => {
    const doc = JSON.parse(examples.find(([n]) => n === 'order-status.flow.json')![1]) as FlowDoc;
    const renamed = renameNode(doc, 'greet', 'hello') as { entry: string; nodes: Record<string, unknown> };
    expect(renamed.entry).toBe('hello');
    expect(Object.keys(renamed.nodes)[0]).toBe('hello');
    expect(renameNode(renamed, 'hello', 'greet')).toEqual(doc);
    expect(JSON.stringify(renameNode(renamed, 'hello', 'greet'))).toBe(JSON.stringify(doc));

    const removed = removeNodes(setPosition(doc, 'sorry', { x: 1, y: 2 }), ['sorry']) as {
      nodes: Record<string, { next?: Record<string, string> }>;
      ui: { positions: object };
    };
    expect(removed.nodes.sorry).toBeUndefined();
    expect(removed.nodes.not_found?.next).toEqual({ true: 'no_such_order' });
    expect(removed.ui.positions).toEqual({});

    const added = addNode(doc, 'say', { x: 10.4, y: 20.6 });
    expect(added.id).toBe('say');
    expect(addNode(added.doc, 'say', { x: 0, y: 0 }).id).toBe('say_2');
    const graph = graphOf(added.doc);
    expect(graph.nodes.at(-1)).toMatchObject({
      id: 'say',
      position: { x: 10, y: 21 },
      data: { placed: true },
    });
  });

  it.each(examples)('%s: the editor knows the outcomes of every verb used', (_name, text) => {
    const doc = JSON.parse(text) as { nodes: Record<string, { verb: string; next?: object }> };
    for (const node of Object.values(doc.nodes)) {
      const own = outcomesOf({ ...node, next: undefined });
      for (const outcome of Object.keys(node.next ?? {}))
        expect(own, `${node.verb}.${outcome}`).toContain(outcome);
    }
  });

  it('offers a starting node for every verb, with its outcomes', () => {
    for (const verb of verbs) {
      const node = newNode(verb);
      expect(node.verb).toBe(verb);
      expect(outcomesOf(node).length > 0).toBe(verb !== 'hangup' && verb !== 'end');
    }
    expect(outcomesOf(newNode('menu'))).toEqual(['1', '2', 'failed']);
  });

  it('pins the shown layout once the author arranges the graph, keeping stored positions', () => {
    const original = JSON.parse(examples[0]![1]) as FlowDoc;
    const first = graphOf(original).nodes[0]!.id;
    const doc = setPosition(original, first, { x: 5, y: 6 });
    const graph = graphOf(doc);
    const pinned = graphOf(pinLayout(doc, graph.nodes));
    expect(pinned.nodes.every((n) => n.data.placed)).toBe(true);
    expect(pinned.nodes.map((n) => n.position)).toEqual(
      graph.nodes.map((n) => ({ x: Math.round(n.position.x), y: Math.round(n.position.y) })),
    );
    expect(pinned.nodes[0]!.position).toEqual({ x: 5, y: 6 });
  });

  it('maps issue paths to nodes (JSON Pointer escapes included)', () => {
    expect(nodeOfPath('/nodes/ask_order/prompt')).toBe('ask_order');
    expect(nodeOfPath('/nodes/a~1b~0c')).toBe('a/b~c');
    expect(nodeOfPath('/entry')).toBeNull();
  });

  it('refuses documents that are no graph', () => {
    expect(toGraph([])).toEqual({ ok: false, reason: 'not_object' });
    expect(toGraph({ nodes: [] })).toEqual({ ok: false, reason: 'no_nodes' });
  });
});
