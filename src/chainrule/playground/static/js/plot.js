// The plane: the output over a 100x100 grid (the decision boundary) with the data points on top, and
// the loss curves. Pixel <-> data coordinates use the plane's extent [x1_min, x1_max, x2_min, x2_max].
import { CLASS_COLORS, bytes, css, diverging, mix, paint } from "./colors.js";

const grid = document.createElement("canvas");

export function toData(extent, canvas, px, py) {
  return [extent[0] + (px / canvas.width) * (extent[1] - extent[0]), extent[3] - (py / canvas.height) * (extent[3] - extent[2])];
}

function toPixel(extent, canvas, x1, x2) {
  return [((x1 - extent[0]) / (extent[1] - extent[0])) * canvas.width, ((extent[3] - x2) / (extent[3] - extent[2])) * canvas.height];
}

function pointColor(data, label) {
  if (data.kind === "classification") return CLASS_COLORS[label % CLASS_COLORS.length];
  const [low, high] = data.target_range;
  return diverging(2 * ((label - low) / (high - low || 1)) - 1);
}

export function drawPlane(canvas, data, frame, showTest) {
  const context = canvas.getContext("2d");
  if (frame) {
    const b = frame.boundary;
    const values = bytes(b.values);
    const confidence = b.confidence ? bytes(b.confidence) : null;
    const size = Math.round(Math.sqrt(values.length));
    paint(grid, values, size, (v, i) => {
      if (b.kind === "classes") return mix([255, 255, 255], CLASS_COLORS[v % CLASS_COLORS.length], 0.25 + 0.5 * confidence[i] / 255);
      return diverging(((v / 255) * 2 - 1) * 0.75);          // paler than the points, so they stand out
    });
    context.imageSmoothingEnabled = true;
    context.drawImage(grid, 0, 0, canvas.width, canvas.height);
  } else {
    context.fillStyle = "#fff"; context.fillRect(0, 0, canvas.width, canvas.height);
  }
  const drawPoints = (points, stroke) => {
    for (const [x1, x2, label] of points) {
      const [px, py] = toPixel(data.extent, canvas, x1, x2);
      context.beginPath(); context.arc(px, py, 3.5, 0, 2 * Math.PI);
      context.fillStyle = css(pointColor(data, label)); context.fill();
      context.lineWidth = 1; context.strokeStyle = stroke; context.stroke();
    }
  };
  drawPoints(data.points.train, "#fff");
  if (showTest) drawPoints(data.points.test, "#000");
}

// The point nearest to pixel (px, py), within 6 pixels: {split, index} or null.
export function pointAt(canvas, data, px, py, showTest) {
  let best = null, bestDistance = 36;
  for (const split of showTest ? ["train", "test"] : ["train"]) {
    data.points[split].forEach(([x1, x2], index) => {
      const [qx, qy] = toPixel(data.extent, canvas, x1, x2);
      const d = (qx - px) ** 2 + (qy - py) ** 2;
      if (d < bestDistance) { bestDistance = d; best = { split, index }; }
    });
  }
  return best;
}

export function drawLosses(canvas, history) {
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const finite = (v) => typeof v === "number" && isFinite(v);
  const all = [...history.train_loss, ...history.test_loss].filter(finite);
  if (!all.length) return;
  const top = Math.max(...all) || 1, n = history.train_loss.length;
  context.strokeStyle = "#ddd"; context.strokeRect(0.5, 0.5, canvas.width - 1, canvas.height - 1);
  for (const [key, color] of [["test_loss", "#999"], ["train_loss", "#222"]]) {
    context.beginPath(); context.strokeStyle = color; context.lineWidth = 1.5;
    history[key].forEach((v, i) => {
      if (!finite(v)) return;
      const x = n > 1 ? (i / (n - 1)) * (canvas.width - 4) + 2 : 2, y = canvas.height - 3 - (v / top) * (canvas.height - 8);
      i === 0 ? context.moveTo(x, y) : context.lineTo(x, y);
    });
    context.stroke();
  }
  context.fillStyle = "#666"; context.font = "11px sans-serif";
  context.textAlign = "right"; context.fillText(`loss axis: 0 to ${top.toPrecision(3)}`, canvas.width - 6, 12); context.textAlign = "left";
}

// One PNG of the plane, the loss curves and the numbers.
export function snapshot(plane, chart, lines) {
  const out = document.createElement("canvas");
  out.width = plane.width + 20; out.height = plane.height + chart.height + 30 + 16 * lines.length;
  const context = out.getContext("2d");
  context.fillStyle = "#fff"; context.fillRect(0, 0, out.width, out.height);
  context.drawImage(plane, 10, 10);
  context.drawImage(chart, 10, plane.height + 20);
  context.fillStyle = "#222"; context.font = "13px sans-serif";
  lines.forEach((line, i) => context.fillText(line, 10, plane.height + chart.height + 40 + 16 * i));
  return out.toDataURL("image/png");
}
