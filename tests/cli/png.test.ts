import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { imageGridPng, scatterPng } from '../../src/cli/png.js';

const decode = (bytes: Uint8Array) => PNG.sync.read(Buffer.from(bytes));
const pixel = (png: PNG, x: number, y: number) => Array.from(png.data.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 4));

describe('imageGridPng', () => {
  it('tiles grayscale images with a 1-px gap and clamps values to [0,1]', () => {
    // Five 2×3 images: image k is filled with k/4, except image 0 holds out-of-range values.
    const images = new Float32Array(5 * 6);
    for (let k = 0; k < 5; k++) images.fill(k / 4, k * 6, (k + 1) * 6);
    images[0] = -3;
    images[1] = 7;
    const png = decode(imageGridPng(images, 5, 2, 3, 1, 3));
    expect([png.width, png.height]).toEqual([3 * 3 + 2, 2 * 2 + 1]);
    expect(pixel(png, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(png, 1, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(png, 4, 0)).toEqual([64, 64, 64, 255]); // image 1 at x = 3 + 1 gap
    expect(pixel(png, 3, 0)).toEqual([128, 128, 128, 255]); // the gap
    expect(pixel(png, 4, 3)).toEqual([255, 255, 255, 255]); // image 4: second row, second column
    expect(pixel(png, 8, 4)).toEqual([128, 128, 128, 255]); // missing 6th tile stays gap grey
  });

  it('keeps RGB channels apart and defaults to a square-ish grid', () => {
    const images = new Float32Array(4 * 1 * 1 * 3);
    images.set([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0.5]);
    const png = decode(imageGridPng(images, 4, 1, 1, 3));
    expect([png.width, png.height]).toEqual([3, 3]);
    expect(pixel(png, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(png, 2, 0)).toEqual([0, 255, 0, 255]);
    expect(pixel(png, 0, 2)).toEqual([0, 0, 255, 255]);
    expect(pixel(png, 2, 2)).toEqual([128, 128, 128, 255]);
  });
});

describe('scatterPng', () => {
  it('draws labelled points in their colours on white, y up', () => {
    const png = decode(scatterPng(Float32Array.from([0, 0, 1, 1]), Uint8Array.from([0, 1]), 64));
    expect([png.width, png.height]).toEqual([64, 64]);
    expect(pixel(png, 32, 32)).toEqual([255, 255, 255, 255]);
    // With a 5% margin, (0,0) lands near the bottom-left and (1,1) near the top-right.
    const lo = Math.round((0.05 / 1.1) * 63);
    expect(pixel(png, lo, 63 - lo)).toEqual([31, 119, 180, 255]);
    expect(pixel(png, 63 - lo, lo)).toEqual([255, 127, 14, 255]);
  });

  it('copes with a single point and with no labels', () => {
    const png = decode(scatterPng(Float32Array.from([5, 5]), undefined, 16));
    expect(png.data.some((v, i) => i % 4 !== 3 && v === 0)).toBe(true);
  });
});
