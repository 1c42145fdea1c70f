/**
 * A sampler page: one HTML file that draws samples from an exported
 * LayersModel with TF.js, both inlined, so it opens from disk with no network
 * (a trained model shared as a web page). Everything from a document (the
 * title, class names) reaches the page as escaped text or JSON read into
 * textContent, never as markup.
 */

export interface SamplerPageInput {
  /** The title of the graph, shown as the page's heading. */
  title: string;
  /** model.json of the exported LayersModel (with Latent Lab's userDefinedMetadata.latentLab). */
  modelJson: string;
  /** Its weights.bin, base64. */
  weightsBase64: string;
  /** The text of a TF.js bundle (tf.min.js), run before the page's own script. */
  tfjs: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Text inside a <script> element ends at the first `</script`; these keep it from appearing. */
const inScript = (js: string) => js.replace(/<\/(script)/gi, '<\\/$1');
const jsonInScript = (json: string) => json.replace(/</g, '\\u003c');

const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 24px; color: #1d2430; background: #f6f7f9; }
h1 { font-size: 22px; margin: 0 0 4px; }
p { margin: 4px 0 12px; color: #4a5363; max-width: 46em; }
.controls { display: flex; gap: 12px; align-items: center; margin: 12px 0; }
button, select { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #8a94a6; background: #fff; }
button { background: #2456c7; color: #fff; border-color: #2456c7; cursor: pointer; }
canvas { background: #fff; border: 1px solid #c9ced8; image-rendering: pixelated; }
#status { color: #4a5363; }
`;

/** The page's own script: loads the model from the page, draws a grid of samples, redraws on "New samples". */
const SCRIPT = String.raw`
(async () => {
  const status = document.getElementById('status');
  const canvas = document.getElementById('samples');
  const picker = document.getElementById('class');
  const button = document.getElementById('again');
  try {
    const modelJson = JSON.parse(document.getElementById('model-json').textContent);
    const bytes = Uint8Array.from(atob(document.getElementById('weights').textContent.trim()), (c) => c.charCodeAt(0));
    const info = modelJson.userDefinedMetadata.latentLab;
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: bytes.buffer }),
    );
    const names = info.classNames || Array.from({ length: info.classes }, (_, i) => 'class ' + i);
    if (info.classes > 0) {
      picker.hidden = false;
      for (let c = -1; c < info.classes; c++) {
        const option = document.createElement('option');
        option.value = String(c);
        option.textContent = c < 0 ? 'every class (one per column)' : names[c];
        picker.appendChild(option);
      }
    }
    const image = info.dataKind === 'image';
    const count = image ? 64 : 1000;
    const draw = () => {
      const values = tf.tidy(() => {
        const shape = [count, ...info.latentShape];
        const z = info.prior.distribution === 'uniform' ? tf.randomUniform(shape, info.prior.low, info.prior.high) : tf.randomNormal(shape);
        const inputs = [z];
        if (info.classes > 0) {
          const chosen = Number(picker.value);
          const labels = Array.from({ length: count }, (_, i) => (chosen < 0 ? i % info.classes : chosen));
          inputs.push(tf.oneHot(tf.tensor1d(labels, 'int32'), info.classes).toFloat());
        }
        return model.predict(inputs.length === 1 ? inputs[0] : inputs).dataSync();
      });
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      if (image) drawImages(ctx, values, info.dataShape, count);
      else drawPoints(ctx, values, count);
      status.textContent = count + ' samples from training step ' + info.step + ', drawn in this page.';
    };
    button.addEventListener('click', draw);
    picker.addEventListener('change', draw);
    button.disabled = false;
    draw();
  } catch (e) {
    status.textContent = 'This page could not load its model: ' + (e && e.message ? e.message : String(e));
  }

  function drawImages(ctx, values, shape, n) {
    const [h, w, c] = shape.length === 3 ? shape : [Math.round(Math.sqrt(shape[0])), Math.round(Math.sqrt(shape[0])), 1];
    const columns = 8, scale = 3, gap = 4;
    const cell = w * scale + gap;
    canvas.width = columns * cell + gap;
    canvas.height = Math.ceil(n / columns) * (h * scale + gap) + gap;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const tile = ctx.createImageData(w, h);
    const scratch = document.createElement('canvas');
    scratch.width = w;
    scratch.height = h;
    const sctx = scratch.getContext('2d');
    ctx.imageSmoothingEnabled = false;
    for (let k = 0; k < n; k++) {
      for (let p = 0; p < h * w; p++) {
        for (let ch = 0; ch < 3; ch++) {
          const v = values[(k * h * w + p) * c + (c === 3 ? ch : 0)];
          tile.data[p * 4 + ch] = Math.round(255 * Math.min(1, Math.max(0, v)));
        }
        tile.data[p * 4 + 3] = 255;
      }
      sctx.putImageData(tile, 0, 0);
      ctx.drawImage(scratch, gap + (k % columns) * cell, gap + Math.floor(k / columns) * (h * scale + gap), w * scale, h * scale);
    }
  }

  function drawPoints(ctx, values, n) {
    canvas.width = 480;
    canvas.height = 480;
    let lo = Infinity, hi = -Infinity;
    for (const v of values) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    const pad = (hi - lo) * 0.05 || 1;
    const at = (v) => ((v - lo + pad) / (hi - lo + 2 * pad)) * 480;
    ctx.fillStyle = 'rgba(36, 86, 199, 0.5)';
    for (let i = 0; i < n; i++) ctx.fillRect(at(values[2 * i]) - 1.5, 480 - at(values[2 * i + 1]) - 1.5, 3, 3);
  }
})();
`;

export function samplerPageHtml(p: SamplerPageInput): string {
  const title = escapeHtml(p.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title} — samples</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${title}</h1>
<p>Samples drawn by this model, here in this page: random latent vectors from the prior go through the model's generator (TensorFlow.js). Nothing is downloaded.</p>
<div class="controls">
<button id="again" disabled>New samples</button>
<select id="class" hidden aria-label="class to draw"></select>
<span id="status">Loading the model…</span>
</div>
<canvas id="samples" width="600" height="600"></canvas>
<script type="application/json" id="model-json">${jsonInScript(p.modelJson)}</script>
<script type="text/plain" id="weights">${p.weightsBase64}</script>
<script>${inScript(p.tfjs)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
