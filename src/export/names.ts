/** Python spellings: identifiers made from node ids, and literals made from document text. */

const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);
/** Names an nn.Module attribute must not take (they are its own), plus the names the generated code itself uses. */
const TAKEN = new Set([
  ...'training forward parameters buffers children modules state_dict train eval to cuda cpu type float double half apply zero_grad register_buffer register_parameter add_module get_submodule get_parameter get_buffer named_parameters named_buffers named_modules named_children requires_grad_ extra_repr'.split(
    ' ',
  ),
  ...'torch nn F np self model batch draw'.split(' '),
  // Functions the generated objectives and sample.py call by name (layers.py, flows.py, diffusion.py).
  ...'nhwc nchw draw_like activate bce mse eps_mse categorical256 gaussian_kl discriminator_loss generator_loss reduce_loss'.split(' '),
  ...'dequantize logit_transform squeeze2x2 unsqueeze2x2 flow_prior_log_prob flow_nll dequantize_inverse logit_transform_inverse'.split(
    ' ',
  ),
  ...'noise_schedule forward_noising time_embedding label_dropout run_chain schedule_betas denoise generate'.split(' '),
]);

/** A Python identifier for `raw` (a node id), unique within `used`, which it joins. */
export function identifier(raw: string, used: Set<string>): string {
  let base = raw.replace(/[^A-Za-z0-9_]/g, '_');
  if (!base || /^[0-9]/.test(base)) base = `n_${base}`;
  if (PYTHON_KEYWORDS.has(base) || TAKEN.has(base)) base = `${base}_`;
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
  used.add(name);
  return name;
}

/** `CamelCase` class name from a node id and type, e.g. ("dReal", "discriminator") → "DRealDiscriminator". */
export function className(id: string, type: string, used: Set<string>): string {
  const camel = (s: string) =>
    s
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join('');
  let base = camel(id) + camel(type);
  if (!/^[A-Za-z]/.test(base)) base = `N${base}`;
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}${i}`;
  used.add(name);
  return name;
}

/** A Python string literal; JSON's escapes are valid Python, and \u escapes keep the file ASCII-safe to any editor. */
export function pyString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A Python number literal: JavaScript's shortest round-trip spelling (1e-7, 0.0002) is valid Python and reads back the same. */
export function pyNumber(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`cannot write ${x} as a Python number`);
  return String(x);
}

/** A comment line: document text (labels, titles) can hold anything but a line break must not end the comment. */
export function comment(text: string): string {
  return `# ${text.replace(/[\r\n]+/g, ' ')}`;
}

/** A docstring body: document text with the quote sequence and backslashes made harmless. */
export function docText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');
}
