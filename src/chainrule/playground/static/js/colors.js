// Colours shared by the plane, the neuron maps and the links: orange for negative / class 0, blue for
// positive / class 1 (as TensorFlow Playground, so its users feel at home), more classes after them.

export const CLASS_COLORS = [[245, 147, 34], [8, 119, 189], [46, 160, 67], [148, 103, 189], [214, 39, 40],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];
const WHITE = [255, 255, 255];

export function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

// t in [-1, 1]: orange, white, blue
export function diverging(t) {
  return t < 0 ? mix(WHITE, CLASS_COLORS[0], Math.min(1, -t)) : mix(WHITE, CLASS_COLORS[1], Math.min(1, t));
}

export function css(rgb) {
  return `rgb(${rgb.map((v) => Math.round(v)).join(",")})`;
}

export function bytes(base64) {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

// Paint `size` x `size` bytes onto a canvas through `color(byte, index)` -> [r, g, b].
export function paint(canvas, values, size, color) {
  if (canvas.width !== size) { canvas.width = size; canvas.height = size; }
  const context = canvas.getContext("2d");
  const image = context.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const [r, g, b] = color(values[i], i);
    image.data[4 * i] = r; image.data[4 * i + 1] = g; image.data[4 * i + 2] = b; image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}
