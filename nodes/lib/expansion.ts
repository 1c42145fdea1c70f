/** A small builder for block expansions: layers are added in data-flow order, each fed by earlier ones. */
import type { Expansion } from '../../src/graph/nodeApi';

/** Where a layer reads from: a block input port, or an earlier layer's output port. */
export type Source = { input: string } | { node: string; port: string };

export class ExpansionBuilder {
  private expansion: Expansion = { nodes: [], edges: [], inputs: {}, outputs: {} };

  /** Adds a layer; `inputs` maps its ports to sources. Returns a source for its output `y`. */
  layer(id: string, type: string, params: Record<string, unknown>, inputs: Record<string, Source>): Source {
    this.expansion.nodes.push({ id, type, params });
    for (const [port, src] of Object.entries(inputs)) {
      if ('input' in src) (this.expansion.inputs[src.input] ??= []).push({ node: id, port });
      else this.expansion.edges.push({ source: src.node, sourcePort: src.port, target: id, targetPort: port });
    }
    return { node: id, port: 'y' };
  }

  output(port: string, src: Source) {
    if ('input' in src) throw new Error(`block output ${port} must come from a layer`);
    this.expansion.outputs[port] = src;
  }

  done(): Expansion {
    return this.expansion;
  }
}
