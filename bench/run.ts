/** `npm run bench`: every benchmark, measured side by side in one run; figures go to bench/results/latest.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { setupBackend } from '../src/runtime/backend';
import { runCompiledBench, runEditorBench } from './compiled';
import { runEditorRenderBench } from './editorRender';
import { runKernelBench } from './kernels';
import { runPixelCnnSamplingBench } from './pixelcnnSampling';
import { runSampleMetricsBench } from './sampleMetrics';

const log = (s: string) => console.log(s);
const results: Record<string, number | string> = {};
const info = await setupBackend('wasm');
results.backend = `${info.backend}${info.simd ? '-simd' : ''}x${info.threads}`;
log(`backend: ${results.backend}\n`);
log('# editor');
Object.assign(results, runEditorBench(log));
Object.assign(results, await runEditorRenderBench(log));
log('\n# compiled graphs');
Object.assign(results, await runCompiledBench(log));
log('\n# PixelCNN sampling');
Object.assign(results, await runPixelCnnSamplingBench(log));
log('\n# wasm kernels');
Object.assign(results, await runKernelBench());
log('\n# sample metrics');
Object.assign(results, await runSampleMetricsBench(log));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
log('\nwrote bench/results/latest.json');
