// The page's settings and its URL: every setting that differs from the default is written into the
// query string, so a link (or a reload) restores the page. `hide` lists controls hidden in classroom mode.

export function encode(settings, defaults, hidden, showTest) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(settings)) {
    if (JSON.stringify(value) === JSON.stringify(defaults[key])) continue;
    if (key === "points") query.set(key, value.map((p) => p.map((v) => +v.toFixed(3)).join(":")).join(";"));
    else if (Array.isArray(value)) query.set(key, value.join(","));
    else query.set(key, String(value));
  }
  if (hidden.length) query.set("hide", hidden.join(","));
  if (showTest) query.set("show_test", "1");
  return query.toString();
}

export function decode(search, defaults) {
  const query = new URLSearchParams(search);
  const settings = structuredClone(defaults);
  for (const [key, text] of query) {
    if (!(key in defaults)) continue;
    const model = defaults[key];
    if (key === "points") settings.points = text ? text.split(";").map((p) => p.split(":").map(Number)) : [];
    else if (key === "layers") settings.layers = text ? text.split(",").map(Number) : [];
    else if (Array.isArray(model)) settings[key] = text ? text.split(",") : [];
    else if (typeof model === "number") settings[key] = Number(text);
    else settings[key] = text;
  }
  const hidden = (query.get("hide") || "").split(",").filter(Boolean);
  return { settings, hidden, showTest: query.get("show_test") === "1" };
}
