import { defineNode } from '../src/graph/nodeApi';
import { int } from '../src/graph/params';
import { BATCH } from '../src/graph/shape';
import { ExpansionBuilder } from './lib/expansion';

const INPUTS = ['x', 'x2', 'x3'];
const OUTPUTS = ['y', 'y2', 'y3'];

/**
 * A block of the learner's own: its layers are a block definition in the
 * document (made by collapsing layers on the canvas, or edited in the block
 * editor). Without one it is a single Dense layer to start from.
 */
export default defineNode({
  kind: 'block',
  type: 'block',
  title: 'Block',
  category: 'blocks',
  doc: 'Your own block: layers you collapsed from the canvas, or built by opening it. Open it to edit its layers (insert, reorder, delete, change parameters) with the shapes after each; every block that uses it, or shares its weights, follows. A new block starts as one Dense layer.',
  inputs: {
    x: { type: 'tensor', doc: 'the first input' },
    x2: { type: 'tensor', doc: 'the second input', optional: true },
    x3: { type: 'tensor', doc: 'the third input', optional: true },
  },
  outputs: {
    y: { type: 'tensor', doc: 'the first output' },
    y2: { type: 'tensor', doc: 'the second output' },
    y3: { type: 'tensor', doc: 'the third output' },
  },
  params: {
    inputs: int({ default: 1, min: 1, max: INPUTS.length, doc: 'how many inputs the block has' }),
    outputs: int({ default: 1, min: 1, max: OUTPUTS.length, doc: 'how many outputs the block has' }),
  },
  activePorts: (p) => ({ inputs: INPUTS.slice(0, p.inputs), outputs: OUTPUTS.slice(0, p.outputs) }),
  examples: [{ x: [BATCH, 16] }],
  expand: (p) => {
    if (p.inputs > 1 || p.outputs > 1) throw new Error('a block with several inputs or outputs needs its own layers; open it and add them');
    const b = new ExpansionBuilder();
    b.output('y', b.layer('dense', 'dense', { units: 64, activation: 'relu' }, { x: { input: 'x' } }));
    return b.done();
  },
});

/** The port ids of a block with this many inputs and outputs. */
export const blockPorts = (inputs: number, outputs: number) => ({ inputs: INPUTS.slice(0, inputs), outputs: OUTPUTS.slice(0, outputs) });
