// The network diagram: one column per layer, each neuron a thumbnail of its own map over the plane,
// links coloured by the weight's sign and sized by its magnitude. Hovering shows value and gradient.
import { CLASS_COLORS, bytes, css, diverging, paint } from "./colors.js";

const SVG = "http://www.w3.org/2000/svg";
const HEAD = 64;

export class NetworkView {
  constructor(root, tooltip, callbacks) {
    this.root = root; this.tooltip = tooltip; this.callbacks = callbacks;
    this.svg = root.querySelector("#links"); this.nodesRoot = root.querySelector("#nodes");
    this.frame = null;
  }

  // Lay out the columns for `data` (sizes, input names) and the page's settings.
  build(data, settings, choices, limits) {
    this.data = data; this.svg.innerHTML = ""; this.nodesRoot.innerHTML = "";
    const extras = data.input_names.slice(settings.features.length);
    const inputs = [...choices.features.map((name) => ({ name, on: settings.features.includes(name) })),
      ...extras.map((name) => ({ name, on: true, extra: true }))];
    const columns = [inputs.length, ...settings.layers, data.sizes[data.sizes.length - 1]];
    const width = Math.max(360, this.root.clientWidth || 520);
    const tallest = Math.max(...columns);
    this.size = tallest > 12 ? 22 : 34;
    const gap = this.size + 8;
    const step = (width - this.size - 80) / (columns.length - 1);
    const x = (c) => 50 + c * step;
    this.root.style.height = `${HEAD + tallest * gap + 10}px`;
    this.svg.setAttribute("width", width); this.svg.setAttribute("height", HEAD + tallest * gap + 10);
    this.positions = columns.map((n, c) => Array.from({ length: n }, (_, k) => [x(c), HEAD + k * gap]));
    this.canvases = [];
    // inputs: every feature, the unused ones dimmed; a click switches one on or off
    this.activeInputs = [];
    inputs.forEach((input, k) => {
      const node = this.node(this.positions[0][k], `feature${input.on ? "" : " off"}`, input.name);
      node.dataset.feature = input.name;
      const label = document.createElement("div");
      label.className = "node-label"; label.textContent = input.name;
      label.style.left = `${this.positions[0][k][0] - 46}px`; label.style.top = `${this.positions[0][k][1] + this.size / 2 - 7}px`;
      this.nodesRoot.append(label);
      if (!input.extra) node.addEventListener("click", () => this.callbacks.onToggleFeature(input.name));
      if (input.on) this.activeInputs.push(k);
      this.canvases.push(input.on ? node.querySelector("canvas") : null);
    });
    this.canvases = [this.activeInputs.map((k) => this.canvases[k])];
    // hidden layers: a head with the neuron count and activation, then the neurons
    settings.layers.forEach((n, layer) => {
      const head = document.createElement("div");
      head.className = "layer-head"; head.dataset.control = "neurons";
      head.style.left = `${x(layer + 1) - 28}px`; head.style.top = "0px"; head.style.width = `${this.size + 56}px`;
      const options = choices.activation.map((a) => `<option value="${a}"${a === settings.activations[layer] ? " selected" : ""}>${a.replace("_", " ")}</option>`).join("");
      head.innerHTML = `<div><button class="layer-minus" data-layer="${layer}" title="one neuron fewer">&minus;</button>
        <button class="layer-plus" data-layer="${layer}" title="one neuron more">+</button></div>
        <span>${n} neuron${n > 1 ? "s" : ""}</span><select class="activation" data-layer="${layer}" title="activation of this layer">${options}</select>`;
      head.querySelector(".layer-minus").disabled = n <= 1;
      head.querySelector(".layer-plus").disabled = n >= limits.max_neurons;
      head.querySelector(".layer-minus").addEventListener("click", () => this.callbacks.onNeurons(layer, -1));
      head.querySelector(".layer-plus").addEventListener("click", () => this.callbacks.onNeurons(layer, 1));
      head.querySelector("select").addEventListener("change", (e) => this.callbacks.onActivation(layer, e.target.value));
      this.nodesRoot.append(head);
      this.canvases.push(this.positions[layer + 1].map((p, k) => this.node(p, "neuron", `layer ${layer + 1}, neuron ${k + 1}`, layer, k).querySelector("canvas")));
    });
    // outputs: one node (its map is the plane) or one per class
    const last = this.positions.length - 1;
    this.outputCanvas = null;
    this.positions[last].forEach((p, k) => {
      const node = this.node(p, "output", data.sizes[data.sizes.length - 1] > 1 ? `output: class ${data.class_names[k]}` : "output", last - 1, k);
      if (data.sizes[data.sizes.length - 1] > 1) node.style.background = css(CLASS_COLORS[k % CLASS_COLORS.length]);
      else this.outputCanvas = node.querySelector("canvas");
    });
    // links: input (active only) -> hidden -> ... -> output
    this.links = [];
    const sources = [this.activeInputs.map((k) => this.positions[0][k]), ...this.positions.slice(1)];
    for (let layer = 0; layer < sources.length - 1; layer++) {
      const row = [];
      sources[layer + 1].forEach((to, j) => {
        row.push(sources[layer].map((from, i) => {
          const path = document.createElementNS(SVG, "path");
          const [x0, y0] = [from[0] + this.size, from[1] + this.size / 2], [x1, y1] = [to[0], to[1] + this.size / 2];
          path.setAttribute("d", `M${x0},${y0} C${(x0 + x1) / 2},${y0} ${(x0 + x1) / 2},${y1} ${x1},${y1}`);
          path.dataset.layer = layer; path.dataset.to = j; path.dataset.from = i;
          path.addEventListener("mousemove", (e) => this.showLink(e, layer, j, i));
          path.addEventListener("mouseleave", () => { this.tooltip.hidden = true; });
          this.svg.append(path);
          return path;
        }));
      });
      this.links.push(row);
    }
  }

  node([left, top], kind, title, layer = null, index = null) {
    const node = document.createElement("div");
    node.className = `node ${kind}`; node.title = "";
    Object.assign(node.style, { left: `${left}px`, top: `${top}px`, width: `${this.size}px`, height: `${this.size}px` });
    node.innerHTML = "<canvas></canvas>";
    node.dataset.name = title;
    if (layer !== null) {
      node.dataset.layer = layer; node.dataset.index = index;
      node.addEventListener("mousemove", (e) => this.showNeuron(e, title, layer, index));
      node.addEventListener("mouseleave", () => { this.tooltip.hidden = true; });
    }
    this.nodesRoot.append(node);
    return node;
  }

  show(e, text) {
    this.tooltip.textContent = text; this.tooltip.hidden = false;
    this.tooltip.style.left = `${e.clientX + 14}px`; this.tooltip.style.top = `${e.clientY + 10}px`;
  }

  showNeuron(e, title, layer, k) {
    const l = this.frame && this.frame.layers[layer];
    if (!l) return;
    const grad = l.bias_grad ? l.bias_grad[k].toFixed(5) : "none yet";
    this.show(e, `${title}\nbias b = ${l.bias[k].toFixed(5)}\ndL/db = ${grad} (last step)`);
  }

  showLink(e, layer, j, i) {
    const l = this.frame && this.frame.layers[layer];
    if (!l) return;
    const grad = l.weight_grad ? l.weight_grad[j][i].toFixed(5) : "none yet";
    this.show(e, `weight w[${j + 1}][${i + 1}] of layer ${layer + 1}\nw = ${l.weight[j][i].toFixed(5)}\ndL/dw = ${grad} (last step)`);
  }

  update(frame, planeGrid) {
    this.frame = frame;
    frame.maps.forEach((maps, c) => maps.forEach((map, k) => {
      const canvas = this.canvases[c] && this.canvases[c][k];
      if (canvas) paint(canvas, bytes(map.values), frame.map_size, (v) => diverging((v - 128) / 127));
    }));
    if (this.outputCanvas && planeGrid) {
      this.outputCanvas.width = planeGrid.width; this.outputCanvas.height = planeGrid.height;
      this.outputCanvas.getContext("2d").drawImage(planeGrid, 0, 0);
    }
    frame.layers.forEach((l, layer) => {
      const row = this.links[layer];
      if (!row) return;
      // thickness relative to the layer's largest weight, so a layer of large weights stays readable
      const largest = Math.max(1e-9, ...l.weight.flat().map(Math.abs));
      row.forEach((paths, j) => paths.forEach((path, i) => {
        const w = l.weight[j][i];
        path.setAttribute("stroke", w >= 0 ? "#0877bd" : "#f59322");
        path.setAttribute("stroke-width", (0.3 + 4 * Math.abs(w) / largest).toFixed(2));
        path.setAttribute("stroke-opacity", "0.75");
      }));
    });
  }
}
