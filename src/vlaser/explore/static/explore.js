// vlaser explore: the page. Sends the controls on every change over a WebSocket and
// draws what the server's views send back (Plotly.js, served by the explorer itself).
// Every request has a sequence number; messages of older requests are ignored, and the
// server drops superseded work. window.vlaserTimings records, per request and view,
// the milliseconds from the control change to the plot drawn (benchmarks/bench_explore.py).
"use strict";

const CONFIG = window.VLASER_CONFIG;
const STAGES = CONFIG.stages;
const STAGE_LABEL = {
  atom_map: "inversion map", atom_spectrum: "emission spectrum", laser_point: "laser at N",
  laser_curve: "laser curve", laser_dynamics: "dynamics at the unstable point",
};
const PLOT_OF = {
  atom_map: "plot-atom-map", atom_spectrum: "plot-atom-spectrum",
  laser_curve: "plot-laser-curve", laser_point: "plot-laser-spectrum",
};
const PLOT_CONFIG = { responsive: true, displaylogo: false };
const FONT = { family: "system-ui, DejaVu Sans, sans-serif", size: 12 };

let ws = null;
let handling = Promise.resolve();
let seq = 0;              // newest request sent
const started = {};       // seq -> performance.now() at the control change
const rowsByView = {};    // view -> readout rows
const drawnKeys = {};     // view -> key of what is drawn (the server skips unchanged views)
window.vlaserTimings = [];

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- controls
function buildControls() {
  const list = $("control-list");
  for (const c of CONFIG.controls) {
    const row = document.createElement("div");
    row.className = "control";
    row.id = "row-" + c.name;
    const unit = c.unit ? ` <span class="unit">[${c.unit}]</span>` : "";
    row.innerHTML =
      `<label for="ctl-${c.name}" title="${c.help}">${c.label}${unit}</label>` +
      `<input type="range" id="slider-${c.name}" min="${c.low}" max="${c.high}" step="${c.step}" value="${c.default}" aria-label="${c.label} slider">` +
      `<input type="text" id="ctl-${c.name}" value="${c.default}" inputmode="decimal" spellcheck="false">`;
    list.appendChild(row);
    const slider = $("slider-" + c.name);
    const field = $("ctl-" + c.name);
    slider.addEventListener("input", () => { field.value = slider.value; changed(); });
    field.addEventListener("change", () => {
      const v = Number(field.value);
      if (field.value.trim() !== "" && Number.isFinite(v)) slider.value = String(v);
      changed();
    });
  }
  const species = $("ctl-species");
  for (const s of CONFIG.species) {
    const o = document.createElement("option");
    o.value = s.name;
    o.textContent = s.label;
    species.appendChild(o);
  }
  species.addEventListener("change", changed);
  for (const [name, value] of Object.entries(CONFIG.settings)) {
    const field = $("ctl-" + name);
    field.value = String(value);
    field.addEventListener("change", changed);
  }
}

function values() {
  const v = {};
  for (const c of CONFIG.controls) v[c.name] = $("ctl-" + c.name).value;
  v.species = $("ctl-species").value;
  for (const name of Object.keys(CONFIG.settings)) v[name] = $("ctl-" + name).value;
  return v;
}

function setValue(name, value) {
  $("ctl-" + name).value = String(value);
  const slider = $("slider-" + name);
  if (slider) slider.value = String(value);
}

// ---------------------------------------------------------------- requests
function changed() {
  seq += 1;
  started[seq] = performance.now();
  document.body.dataset.state = "busy";
  updateExports();
  for (const view of Object.keys(PLOT_OF)) setBusy(view, "queued");
  setStatus("computing…");
  send();
}

function send() {
  if (!ws || ws.readyState !== WebSocket.OPEN) return;   // sent on (re)connect
  ws.send(JSON.stringify({ type: "compute", seq: seq, values: values(), drawn: drawnKeys }));
}

function connect() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(`${proto}//${location.host}/ws`);
  ws.onopen = () => { if (seq === 0) changed(); else send(); };
  // Messages are handled one after the other (a view is drawn before "done" is seen).
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    handling = handling.then(() => onMessage(m)).catch((e) => console.error(e));
  };
  ws.onclose = () => {
    document.body.dataset.state = "disconnected";
    setStatus("disconnected from the server: is `vlaser explore` still running? retrying…");
    setTimeout(connect, 2000);
  };
}

function updateExports() {
  const q = new URLSearchParams(values()).toString();
  $("export-cli").href = "/export/cli?" + q;
  $("export-json").href = "/export/json?" + q;
  $("export-netcdf").href = "/export/netcdf?" + q;
}

function setExportsEnabled(on) {
  $("cli-command").classList.toggle("stale", !on);
  for (const id of ["export-cli", "export-json", "export-netcdf"]) {
    $(id).classList.toggle("disabled", !on);
    $(id).setAttribute("aria-disabled", String(!on));
  }
}

// ---------------------------------------------------------------- messages
async function onMessage(m) {
  if (m.seq !== seq) return;            // superseded by a newer request
  switch (m.type) {
    case "accepted":
      showError(null);
      setExportsEnabled(true);
      $("cli-command").textContent = m.command;
      break;
    case "error":
      showError(m.message, m.control);
      setExportsEnabled(false);
      for (const view of Object.keys(PLOT_OF)) setBusy(view, null);
      setProgress(0, 1);
      document.body.dataset.state = "error";
      document.body.dataset.seq = String(m.seq);
      setStatus("invalid input: nothing computed");
      break;
    case "progress":
      setBusy(m.stage, m.total > 1 ? `${m.done}/${m.total}` : "computing…");
      setProgress(STAGES.indexOf(m.stage) + m.done / Math.max(m.total, 1), STAGES.length);
      setStatus(`computing: ${STAGE_LABEL[m.stage] || m.stage}` +
                (m.total > 1 ? ` (${m.done}/${m.total})` : ""));
      break;
    case "view":
      await drawView(m);
      break;
    case "view_error":
      delete drawnKeys[m.view];
      rowsByView[m.view] = [];
      renderReadout();
      notice(m.view, m.message);
      setBusy(m.view, null);
      if (PLOT_OF[m.view]) Plotly.purge(PLOT_OF[m.view]);
      break;
    case "done":
      setProgress(1, 1);
      setStatus(`ready (${(m.seconds * 1000).toFixed(0)} ms on the server)`);
      document.body.dataset.state = "idle";
      document.body.dataset.seq = String(m.seq);
      break;
  }
}

async function drawView(m) {
  const t0 = started[m.seq];
  if (!m.unchanged) {
    delete drawnKeys[m.view];
    rowsByView[m.view] = m.rows;
    renderReadout();
    notice(m.view, m.message);
    const draw = DRAW[m.view];
    if (draw) await draw(m.data);
    if (m.key) drawnKeys[m.view] = m.key;
  }
  await new Promise((r) => requestAnimationFrame(() => r()));
  setBusy(m.view, null);
  if (t0 !== undefined && m.seq === seq) {
    window.vlaserTimings.push({
      seq: m.seq, view: m.view, ms: performance.now() - t0, server_ms: 1000 * (m.seconds || 0),
      unchanged: Boolean(m.unchanged),
    });
  }
}

// ---------------------------------------------------------------- page state
function showError(message, control) {
  const box = $("error");
  for (const el of document.querySelectorAll(".invalid")) el.classList.remove("invalid");
  if (!message) { box.hidden = true; box.textContent = ""; return; }
  box.hidden = false;
  box.textContent = message;
  if (control && $("ctl-" + control)) $("ctl-" + control).classList.add("invalid");
}

function setStatus(text) { $("status").textContent = text; }

function setProgress(done, total) {
  $("progress-bar").style.width = `${Math.min(100, (100 * done) / total).toFixed(1)}%`;
}

function setBusy(view, text) {
  const overlay = $("busy-" + view);
  if (!overlay) return;
  overlay.textContent = text || "";
  overlay.parentElement.classList.toggle("busy", Boolean(text));
}

function notice(view, text) {
  const el = $("notice-" + view);
  if (el) el.textContent = text || "";
}

function renderReadout() {
  const groups = { atom: [], laser: [], si: [] };
  for (const view of STAGES) for (const r of rowsByView[view] || []) groups[r.group].push(r);
  for (const [group, rows] of Object.entries(groups)) {
    const body = $("readout-" + group);
    body.textContent = "";
    if (group === "si" && rows.length === 0) {
      body.innerHTML = '<tr><td class="unit">choose a species for SI values</td></tr>';
      continue;
    }
    for (const r of rows) {
      const tr = document.createElement("tr");
      tr.id = "row-ro-" + r.id;
      if (r.note) tr.title = r.note;
      const th = document.createElement("th");
      th.textContent = r.label;
      const td = document.createElement("td");
      td.id = "ro-" + r.id;
      td.className = "value" + (r.value === false ? " flag-no" : "");
      td.dataset.value = r.value === null ? "" : String(r.value);
      td.textContent = r.text;
      const unit = document.createElement("td");
      unit.className = "unit";
      unit.textContent = r.unit;
      tr.append(th, td, unit);
      body.appendChild(tr);
    }
  }
}

// ---------------------------------------------------------------- plots
function layout(extra) {
  return Object.assign({
    font: FONT, margin: { l: 60, r: 20, t: 26, b: 48 }, showlegend: false,
    paper_bgcolor: "#fff", plot_bgcolor: "#fff",
  }, extra);
}

const vline = (x, color, dash, yref = "paper", y0 = 0, y1 = 1, xref = "x") =>
  ({ type: "line", xref, yref, x0: x, x1: x, y0, y1, line: { color, dash, width: 1.5 } });

let mapClickBound = false;

const DRAW = {
  atom_map: async (d) => {
    const el = $(PLOT_OF.atom_map);
    await Plotly.react(el, [
      {
        type: "heatmap", x: d.delta2, y: d.delta3, z: d.inversion, zmin: -1, zmax: 1,
        colorscale: "RdBu", reversescale: false,   // red: inversion > 0 (as in the paper)
        colorbar: { title: { text: "⟨σ22⟩−⟨σ11⟩", side: "right" }, thickness: 12 },
        hovertemplate: "Δ2 %{x:.3f}<br>Δ3 %{y:.3f}<br>inversion %{z:.4f}<extra></extra>",
      },
      {
        type: "scatter", mode: "markers", x: [d.point[0]], y: [d.point[1]],
        marker: { symbol: "circle-open", size: 13, color: "#000", line: { width: 2.5 } },
        hovertemplate: "chosen point<br>Δ2 %{x}<br>Δ3 %{y}<extra></extra>",
      },
    ], layout({
      xaxis: { title: { text: "Δ2 / Γ3" } }, yaxis: { title: { text: "Δ3 / Γ3" } },
      margin: { l: 60, r: 10, t: 26, b: 48 },
    }), PLOT_CONFIG);
    if (!mapClickBound) {
      mapClickBound = true;
      el.on("plotly_click", (ev) => {
        const p = ev.points && ev.points[0];
        if (!p) return;
        setValue("delta2", Number(p.x.toPrecision(6)));
        setValue("delta3", Number(p.y.toPrecision(6)));
        changed();
      });
    }
  },

  atom_spectrum: async (d) => {
    const shapes = [vline(d.pump, "#c62828", "dash")];
    const annotations = [{ x: d.pump, y: 1, yref: "paper", text: " pump 2", showarrow: false,
      font: { color: "#c62828", size: 11 }, xanchor: "left", yanchor: "top" }];
    const shown = d.peaks.slice(0, 3);
    shown.forEach((pk, k) => {
      shapes.push(vline(pk.position, "#555", "dot"));
      annotations.push({ x: pk.position, y: Math.min(pk.height, 1), text: String(k + 1),
        showarrow: true, arrowhead: 0, ax: 14, ay: -16, font: { size: 11 } });
    });
    // Show the lines and the pump with a margin (the adaptive grid reaches much further).
    const xs = shown.map((pk) => pk.position).concat([d.pump]);
    const lo = Math.min(...xs), hi = Math.max(...xs), pad = Math.max(1, 0.15 * (hi - lo));
    notice("atom_spectrum", shown.map((pk, k) =>
      `line ${k + 1}: δ = ${pk.position.toPrecision(5)} Γ3, FWHM ${pk.fwhm_gamma2.toPrecision(4)} Γ2`).join(" · "));
    await Plotly.react($(PLOT_OF.atom_spectrum), [
      { type: "scatter", mode: "lines", x: d.delta, y: d.values, line: { color: "#111", width: 1.2 },
        hovertemplate: "δ %{x:.5f} Γ3<br>S %{y:.4g}<extra></extra>" },
    ], layout({
      xaxis: { title: { text: "δ = ω − ω2  [Γ3]" }, range: [lo - pad, hi + pad] },
      yaxis: { title: { text: "S(ω) (normalized)" }, rangemode: "tozero" },
      shapes, annotations,
    }), PLOT_CONFIG);
  },

  laser_curve: async (d) => {
    const shapes = [];
    const annotations = [];
    for (const [a, b] of d.unstable_spans) {
      shapes.push({ type: "rect", xref: "x", yref: "paper", x0: a, x1: b, y0: 0, y1: 1,
        fillcolor: "rgba(255,152,0,0.22)", line: { width: 0 }, layer: "below" });
      annotations.push({ x: (a + b) / 2, y: 1, yref: "paper", text: "unstable", showarrow: false,
        font: { color: "#b25e00", size: 11 }, yanchor: "bottom" });
    }
    if (d.threshold !== null) {
      shapes.push(vline(d.threshold, "#2f6fde", "dash"));
      annotations.push({ x: d.threshold, y: 0.98, yref: "paper", xanchor: "left",
        text: ` N_th = ${Math.round(d.threshold)}`, showarrow: false, font: { color: "#2f6fde", size: 11 } });
    }
    shapes.push(vline(d.atoms_now, "#2e7d32", "solid"));
    const bad = d.atoms.map((_, i) => !d.converged[i]);
    const traces = [
      { type: "scatter", mode: "lines+markers", x: d.atoms, y: d.photons, name: "photons n",
        marker: { size: 3 }, line: { color: "#111" }, xaxis: "x", yaxis: "y",
        hovertemplate: "N %{x}<br>n %{y:.6g}<extra></extra>" },
      { type: "scatter", mode: "lines+markers", x: d.atoms, y: d.inversion, name: "inversion",
        marker: { size: 3 }, line: { color: "#c62828" }, xaxis: "x", yaxis: "y2",
        hovertemplate: "N %{x}<br>inversion %{y:.5f}<extra></extra>" },
      { type: "scatter", mode: "markers", x: d.atoms.filter((_, i) => bad[i]),
        y: d.atoms.filter((_, i) => bad[i]).map(() => 0), name: "no fixed point",
        marker: { symbol: "x", color: "#c62828", size: 8 }, xaxis: "x", yaxis: "y" },
    ];
    await Plotly.react($(PLOT_OF.laser_curve), traces, layout({
      grid: { rows: 2, columns: 1, pattern: "coupled" },
      xaxis: { title: { text: "N (atoms)" }, anchor: "y2" },
      yaxis: { title: { text: "photons n" }, domain: [0.52, 1] },
      yaxis2: { title: { text: "⟨σ22⟩−⟨σ11⟩" }, domain: [0, 0.46] },
      shapes, annotations,
    }), PLOT_CONFIG);
  },

  laser_point: async (d) => {
    const el = $(PLOT_OF.laser_point);
    const title = $("title-laser_point");
    if (!d.line) {
      title.textContent = "Cavity output spectrum at N — Fig. 7(a): no spectrum";
      title.classList.add("flag");
      Plotly.purge(el);
      return;
    }
    const { peak, fwhm } = d.line;
    title.textContent = "Cavity output spectrum at N — Fig. 7(a)" +
      (d.formal ? " — UNSTABLE fixed point: formal spectrum" : "");
    title.classList.toggle("flag", Boolean(d.formal));
    const shapes = [vline(peak, "#c62828", "dash"),
      { type: "line", xref: "x", yref: "y", x0: peak - fwhm / 2, x1: peak + fwhm / 2, y0: 0.5, y1: 0.5,
        line: { color: "#2f6fde", width: 2 } }];
    const annotations = [
      { x: peak, y: 1.02, yref: "y", text: `δp = ${peak.toPrecision(5)} Γ2`, showarrow: false,
        font: { color: "#c62828", size: 11 }, yanchor: "bottom" },
      { x: peak + fwhm / 2, y: 0.5, text: ` FWHM ${fwhm.toPrecision(4)} Γ2`, showarrow: false,
        xanchor: "left", font: { color: "#2f6fde", size: 11 } },
    ];
    const x0 = d.x[0], x1 = d.x[d.x.length - 1];
    if (d.cavity >= x0 && d.cavity <= x1) {
      shapes.push(vline(d.cavity, "#2e7d32", "dot"));
      annotations.push({ x: d.cavity, y: 0.1, text: "cavity", showarrow: false, font: { color: "#2e7d32", size: 11 } });
    }
    await Plotly.react(el, [
      { type: "scatter", mode: "lines", x: d.x, y: d.y, line: { color: d.formal ? "#999" : "#111", width: 1.3 },
        hovertemplate: "(ω−ω2)/Γ2 %{x:.4f}<br>S %{y:.4g}<extra></extra>" },
    ], layout({
      xaxis: { title: { text: "(ω − ω2) / Γ2" } },
      yaxis: { title: { text: "S(ω) (normalized)" }, range: [0, 1.12] },
      shapes, annotations,
    }), PLOT_CONFIG);
  },
};

// ---------------------------------------------------------------- start
buildControls();
updateExports();
connect();
