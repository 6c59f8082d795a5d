// The page: settings from the URL, one WebSocket to the server, controls that change the settings, and
// a drawing loop that draws only the latest frame the server sent.
import { decode, encode } from "./state.js";
import { drawLosses, drawPlane, pointAt, snapshot, toData } from "./plot.js";
import { NetworkView } from "./network.js";

const $ = (selector) => document.querySelector(selector);
const LABELS = { xor: "XOR", circles: "circles", moons: "two moons", spirals: "spirals", blobs: "gaussian blobs",
  gate: "logic gate", plane: "regression plane", rings: "rings (polar)", csv: "your CSV file",
  sigmoid_bce: "sigmoid + binary cross-entropy", softmax_ce: "softmax + cross-entropy", linear_mse: "linear + MSE",
  linear_huber: "linear + Huber", sgd: "SGD", momentum: "SGD + momentum 0.9", adam: "Adam", full: "full batch",
  mini: "mini-batch", stochastic: "stochastic (1 point)", none: "none", l1: "L1", l2: "L2" };
const page = { settings: null, data: null, frame: null, history: null, playing: false, hidden: [], showTest: false,
  drawn: true, socket: null };
window.playground = page;                    // for the browser tests and the curious

function message(text, level = "notice") {
  const box = document.createElement("div");
  box.className = level; box.textContent = text;
  const close = document.createElement("button");
  close.textContent = "\u00d7"; close.title = "dismiss"; close.onclick = () => box.remove();
  box.append(close);
  $("#messages").append(box);
}

function send(payload) {
  if (page.socket && page.socket.readyState === WebSocket.OPEN) page.socket.send(JSON.stringify(payload));
}

function writeUrl() {
  const query = encode(page.settings, page.config.defaults, page.hidden, page.showTest);
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

function configure() {
  writeUrl();
  send({ type: "configure", settings: page.settings });
}

function fill(select, values, labels = LABELS) {
  select.innerHTML = values.map((v) => `<option value="${v}">${labels[v] || v}</option>`).join("");
}

function showSettings() {
  const s = page.settings;
  for (const [id, key] of [["dataset", "dataset"], ["gate", "gate"], ["optimizer", "optimizer"], ["batching", "batching"],
    ["regularization", "regularization"], ["output", "output"], ["lr", "lr"], ["batch-size", "batch_size"],
    ["reg-rate", "reg_rate"], ["arms", "arms"], ["classes", "classes"], ["noise", "noise"], ["samples", "samples"],
    ["train-ratio", "train_ratio"], ["seed", "seed"]]) $(`#${id}`).value = s[key];
  $("#noise-value").textContent = s.noise.toFixed(2);
  $("#train-ratio-value").textContent = `${Math.round(s.train_ratio * 100)}%`;
  $("#show-test").checked = page.showTest;
  for (const el of document.querySelectorAll("[class*=for-]")) {
    const kinds = [...el.classList].filter((c) => c.startsWith("for-")).map((c) => c.slice(4));
    el.hidden = !kinds.some((k) => k === s.dataset || (k === "regression" && page.data && page.data.kind === "regression"));
  }
  $("#batch-size").disabled = s.batching !== "mini";
  $("#reg-rate").disabled = s.regularization === "none";
  $("#remove-layer").disabled = s.layers.length === 0;
  $("#add-layer").disabled = s.layers.length >= page.config.max_layers;
  $("#layer-count").textContent = `(${s.layers.length} hidden layer${s.layers.length === 1 ? "" : "s"})`;
}

function applyClassroom() {
  for (const el of document.querySelectorAll("[data-control]")) {
    el.classList.toggle("hidden-by-classroom", page.hidden.includes(el.dataset.control));
  }
}

function onData(data) {
  page.data = data; page.history = { train_loss: [], test_loss: [], train_acc: [], test_acc: [] };
  $("#messages").innerHTML = "";
  for (const notice of data.notices) message(notice);
  const auto = $("#output option[value=auto]");
  auto.textContent = `auto: ${LABELS[data.settings.output]}`;
  if (data.csv) {
    fill($("#target"), data.csv.columns, {});
    $("#target").value = page.settings.target || data.csv.columns[data.csv.columns.length - 1];
    fill($("#plot-x"), data.columns, {}); fill($("#plot-y"), data.columns, {});
    $("#plot-x").value = data.axis_names[0]; $("#plot-y").value = data.axis_names[1];
  }
  const modes = ["explain"].concat(data.kind === "classification" ? data.class_names.map((_, k) => `add:${k}`) : ["add:value"]);
  const labels = { explain: "explains the point clicked" };
  data.class_names.forEach((name, k) => { labels[`add:${k}`] = `adds a point of class ${name}`; });
  labels["add:value"] = "adds a point with the value below";
  const mode = $("#click-mode").value;
  fill($("#click-mode"), modes, labels);
  if (modes.includes(mode)) $("#click-mode").value = mode;
  $("#axis-names").textContent = `x1: ${data.axis_names[0]}, x2: ${data.axis_names[1]}`;
  showSettings();
  page.view.build(data, page.settings, page.config.choices, page.config);
  applyClassroom();
  page.frame = null; page.drawn = false;
}

function onFrame(frame) {
  if (frame.history_from === 0) page.history = { train_loss: [], test_loss: [], train_acc: [], test_acc: [] };
  for (const key of Object.keys(page.history)) page.history[key].push(...frame.history[key]);
  page.frame = frame; page.drawn = false;               // drawn at the next animation frame: latest only
}

const number = (v, digits = 4) => (typeof v === "number" ? v.toFixed(digits) : v === null ? "-" : String(v));
const percent = (v) => (typeof v === "number" ? `${(100 * v).toFixed(1)}%` : "-");

function draw() {
  requestAnimationFrame(draw);
  if (page.drawn || !page.data) return;
  page.drawn = true;
  const frame = page.frame, plane = $("#boundary");
  drawPlane(plane, page.data, frame, page.showTest);
  if (!frame) return;
  const s = frame.stats;
  $("#epoch-count").textContent = s.epoch.toLocaleString("en");
  $("#step-count").textContent = `${s.steps.toLocaleString("en")} steps`;
  $("#train-loss").textContent = number(s.train_loss); $("#test-loss").textContent = number(s.test_loss);
  $("#train-acc").textContent = percent(s.train_acc); $("#test-acc").textContent = percent(s.test_acc);
  drawLosses($("#loss-chart"), page.history);
  const grid = document.createElement("canvas"); grid.width = 50; grid.height = 50;
  grid.getContext("2d").drawImage(plane, 0, 0, 50, 50);
  page.view.update(frame, grid);
  const warnings = [...frame.warnings, ...(frame.error ? [frame.error] : [])];
  $("#warnings").innerHTML = "";
  for (const text of warnings) { const box = document.createElement("div"); box.textContent = `\u26a0 ${text}`; $("#warnings").append(box); }
  // cr.diagnose's findings on the current network: the kind and the layer first, then what it means
  for (const finding of frame.findings || []) {
    const box = document.createElement("div");
    box.className = "finding"; box.dataset.kind = finding.kind; box.dataset.module = finding.module;
    const head = document.createElement("b");
    head.textContent = `\u26a0 ${finding.kind} in ${finding.layer}`;
    box.append(head, ` (${typeof finding.value === "number" ? finding.value.toPrecision(3) : finding.value}): ${finding.message}`);
    $("#warnings").append(box);
  }
}

function setPlaying(playing) {
  page.playing = playing;
  $("#play").innerHTML = playing ? "&#10074;&#10074; pause" : "&#9654; play";
}

function download(filename, blob) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob); link.download = filename;
  document.body.append(link); link.click(); link.remove();
}

function onExport(reply) {
  if (reply.base64) {
    const raw = Uint8Array.from(atob(reply.base64), (c) => c.charCodeAt(0));
    download(reply.filename, new Blob([raw], { type: "application/octet-stream" }));
  } else download(reply.filename, new Blob([reply.text], { type: "text/x-python" }));
}

function connect() {
  const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  page.socket = socket;
  socket.onopen = () => configure();
  socket.onclose = () => {
    setPlaying(false);
    message("The connection to the server closed. Is `chainrule playground` still running? Reload the page to reconnect.", "error");
  };
  socket.onmessage = (event) => {
    const reply = JSON.parse(event.data);
    if (reply.type === "frame") onFrame(reply);
    else if (reply.type === "data") onData(reply);
    else if (reply.type === "state") setPlaying(reply.playing);
    else if (reply.type === "message") message(reply.text, reply.level);
    else if (reply.type === "explain") $("#explain").innerHTML = reply.html;
    else if (reply.type === "export") onExport(reply);
    else if (reply.type === "csv") {
      Object.assign(page.settings, { dataset: "csv", csv: reply.id, target: "", plot: [], points: [] });
      configure();
    }
  };
}

function bind() {
  const set = (id, key, parse = (v) => v) => $(`#${id}`).addEventListener("change", (e) => {
    page.settings[key] = parse(e.target.value);
    if (key === "dataset" && e.target.value !== "csv") page.settings.points = [];
    configure();
  });
  for (const [id, key] of [["dataset", "dataset"], ["gate", "gate"], ["optimizer", "optimizer"], ["batching", "batching"],
    ["regularization", "regularization"], ["output", "output"]]) set(id, key);
  for (const [id, key] of [["lr", "lr"], ["batch-size", "batch_size"], ["reg-rate", "reg_rate"], ["arms", "arms"],
    ["classes", "classes"], ["noise", "noise"], ["samples", "samples"], ["train-ratio", "train_ratio"], ["seed", "seed"]]) set(id, key, Number);
  $("#noise").addEventListener("input", (e) => { $("#noise-value").textContent = Number(e.target.value).toFixed(2); });
  $("#train-ratio").addEventListener("input", (e) => { $("#train-ratio-value").textContent = `${Math.round(e.target.value * 100)}%`; });
  $("#target").addEventListener("change", (e) => { Object.assign(page.settings, { target: e.target.value, plot: [] }); configure(); });
  for (const id of ["plot-x", "plot-y"]) $(`#${id}`).addEventListener("change", () => { page.settings.plot = [$("#plot-x").value, $("#plot-y").value]; configure(); });
  $("#regenerate").addEventListener("click", () => { page.settings.seed += 1; configure(); });
  $("#play").addEventListener("click", () => send({ type: page.playing ? "pause" : "play" }));
  for (const id of ["step", "epoch", "reset"]) $(`#${id}`).addEventListener("click", () => send({ type: id }));
  $("#add-layer").addEventListener("click", () => {
    const s = page.settings;
    s.layers.push(s.layers.length ? s.layers[s.layers.length - 1] : 4);
    s.activations.push(s.activations.length ? s.activations[s.activations.length - 1] : "tanh");
    configure();
  });
  $("#remove-layer").addEventListener("click", () => { page.settings.layers.pop(); page.settings.activations.pop(); configure(); });
  $("#show-test").addEventListener("change", (e) => { page.showTest = e.target.checked; page.drawn = false; writeUrl(); });
  $("#clear-points").addEventListener("click", () => { page.settings.points = []; configure(); });
  $("#csv-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (file) send({ type: "upload", name: file.name, text: await file.text() });
    e.target.value = "";
  });
  $("#boundary").addEventListener("click", (e) => {
    if (!page.data) return;
    const canvas = e.target, rect = canvas.getBoundingClientRect();
    const px = ((e.clientX - rect.left) / rect.width) * canvas.width, py = ((e.clientY - rect.top) / rect.height) * canvas.height;
    const mode = $("#click-mode").value;
    if (mode === "explain") {
      const hit = pointAt(canvas, page.data, px, py, page.showTest);
      if (hit) send({ type: "explain", ...hit });
      else message("No data point there: click on a point to see its forward and backward pass.");
      return;
    }
    const [x1, x2] = toData(page.data.extent, canvas, px, py);
    page.settings.points.push([x1, x2, mode === "add:value" ? Number($("#add-value").value) : Number(mode.slice(4))]);
    configure();
  });
  $("#export-model").addEventListener("click", () => send({ type: "export", what: "model" }));
  $("#export-script").addEventListener("click", () => send({ type: "export", what: "script" }));
  $("#snapshot").addEventListener("click", () => {
    const s = page.frame ? page.frame.stats : {};
    const lines = [`chainrule playground: ${LABELS[page.settings.dataset]}, network ${page.data.sizes.join("-")}, epoch ${s.epoch}`,
      `training loss ${number(s.train_loss)}, test loss ${number(s.test_loss)}, test accuracy ${percent(s.test_acc)}`];
    fetch(snapshot($("#boundary"), $("#loss-chart"), lines)).then((r) => r.blob()).then((blob) => download("playground.png", blob));
  });
  $("#share").addEventListener("click", async () => {
    writeUrl();
    try { await navigator.clipboard.writeText(location.href); message(`Link copied: ${location.href}`); }
    catch { message(`Link to this page: ${location.href}`); }
  });
  $("#classroom-button").addEventListener("click", () => {
    const names = [...new Set([...document.querySelectorAll("[data-control]")].map((el) => el.dataset.control))];
    $("#classroom-list").innerHTML = names.map((n) => `<label><input type="checkbox" value="${n}"${page.hidden.includes(n) ? " checked" : ""}> ${n.replace("_", " ")}</label>`).join("");
    for (const box of document.querySelectorAll("#classroom-list input")) box.addEventListener("change", () => {
      page.hidden = [...document.querySelectorAll("#classroom-list input:checked")].map((b) => b.value);
      applyClassroom(); writeUrl();
    });
    $("#classroom").showModal();
  });
}

async function start() {
  page.config = await (await fetch("/config.json")).json();
  const c = page.config.choices;
  fill($("#dataset"), c.dataset); fill($("#gate"), c.gate); fill($("#optimizer"), c.optimizer);
  fill($("#batching"), c.batching); fill($("#regularization"), c.regularization); fill($("#output"), ["auto", ...c.output]);
  Object.assign(page, decode(location.search, page.config.defaults));
  page.view = new NetworkView($("#network"), $("#tooltip"), {
    onToggleFeature: (name) => {
      const f = page.settings.features;
      page.settings.features = f.includes(name) ? f.filter((x) => x !== name) : c.features.filter((x) => x === name || f.includes(x));
      if (!page.settings.features.length) { page.settings.features = f; message("Keep at least one input feature."); return; }
      configure();
    },
    onNeurons: (layer, delta) => { page.settings.layers[layer] += delta; configure(); },
    onActivation: (layer, value) => { page.settings.activations[layer] = value; configure(); },
  });
  showSettings(); applyClassroom(); bind(); connect();
  requestAnimationFrame(draw);
}

start().catch((error) => message(`The page could not start: ${error}`, "error"));
