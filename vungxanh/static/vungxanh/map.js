/* The public risk map (/ban-do/): levels of a province's communes day by day, read from the
 * public risk API, drawn with Leaflet and no base layer (works with no Internet).
 * Every visible word comes from the page (the #rm-strings template), in the page's language. */
(() => {
  "use strict";

  const root = document.getElementById("riskmap");
  const cfg = JSON.parse(document.getElementById("rm-config").textContent);
  const LANG = document.documentElement.lang || "vi";
  const TARGET = root.dataset.target;
  const CAMPAIGN_START = root.dataset.campaignStart;
  const CAMPAIGN_END = root.dataset.campaignEnd;
  const COLOURS = ["#b8c2bd", "#2e9e5b", "#f2c94c", "#f2994a", "#d64545"];
  const RING = "#1d2a24";
  const DAYS_PER_SECOND = 7;

  const T = {};
  for (const el of document.getElementById("rm-strings").content.querySelectorAll("[data-k]")) {
    T[el.dataset.k] = el.textContent.trim();
  }
  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (m, key) => (key in values ? String(values[key]) : m));
  const $ = (id) => document.getElementById(id);
  const h = (tag, attrs = {}, ...children) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c);
    return el;
  };
  const present = (...items) => items.filter((x) => x !== null && x !== undefined);
  const SVG = "http://www.w3.org/2000/svg";
  const s = (tag, attrs = {}, text) => {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text !== undefined) el.textContent = text;
    return el;
  };

  /* Formats: dates dd/mm/yyyy, numbers with the page's separators */
  const dmy = (iso) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
  const dm = (iso) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}`;
  const groupDigits = (n) =>
    String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, cfg.thousands);
  const pct = (share) => `${(share * 100).toFixed(1).replace(".", cfg.decimal)}%`;
  const colourName = (level) => (level ? T[`colour-${level}`] : T["no-level"]);
  const escapeRe = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const prefixes = new RegExp(`^(?:${cfg.name_prefixes.map(escapeRe).join("|")})\\s+`, "u");
  const shortName = (name) => name.replace(prefixes, "");
  const daysBetween = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / 86400000);

  function formatUpdated(iso) {
    if (!iso) return T["not-recorded"];
    const parts = {};
    const formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Asia/Ho_Chi_Minh",
      year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
    for (const p of formatter.formatToParts(new Date(iso))) parts[p.type] = p.value;
    return `${parts.hour}:${parts.minute} ${parts.day}/${parts.month}/${parts.year}`;
  }

  async function getJSON(url) {
    const response = await fetch(url, { headers: { "Accept-Language": LANG, Accept: "application/json" } });
    if (!response.ok) throw new Error(`${response.status} ${url}`);
    return response.json();
  }
  const api = (name, params) => `${cfg.urls[name]}?${new URLSearchParams(params)}`;

  /* State */
  const state = {
    dates: [],
    index: 0,
    areas: new Map(), // code → area from /series
    communes: [],
    districts: [],
    province: null,
    progress: new Map(), // date → day of /progress
    shapes: new Map(), // code → Leaflet layer
    tiles: new Map(), // code → grid tile button
    announced: new Map(), // commune code → villages announced safe, from /criteria/announcements
    unitButtons: new Map(), // code → button of the districts list
    selected: null,
    history: new Map(), // code → promise of /history
    explanations: new Map(), // "date|parent" → promise of /levels
    timer: null, // the interval while the campaign plays
    playUntil: null,
    where: new Map(), // commune code → "boundary" | "circle" | "grid"
    flagged: new Map(), // green commune code → its orange or red neighbours, that day
    labels: [], // district names on the map, the most communes first
    bounds: null,
    fitting: false,
    userMoved: false, // once the user pans or zooms, a resize no longer refits the map
    detailKey: null, // "code|date" the selected-area panel shows
  };
  const levelOf = (area, i = state.index) => (area ? Number(area.levels[i]) || 0 : 0);

  let map = null;
  let baseZoom = 10;
  const slider = $("rm-slider");
  const playButton = $("rm-play");
  const status = $("rm-status");

  function showStatus(text, isError = false) {
    status.textContent = text;
    status.classList.toggle("error", isError);
    status.hidden = !text;
  }

  /* Load everything the map plays, then draw */
  async function start() {
    let series, progress, geometry, announcements;
    try {
      [series, progress, geometry, announcements] = await Promise.all([
        getJSON(api("series", { area: cfg.area })),
        getJSON(api("progress", { area: cfg.area })),
        getJSON(api("geometry", { area: cfg.area })).catch(() => ({ features: [] })),
        getJSON(`/api/v1/criteria/announcements?area=${encodeURIComponent(cfg.area)}`).catch(() => []),
      ]);
    } catch (err) {
      showStatus(T["load-error"], true);
      return;
    }
    $("rm-updated").textContent = formatUpdated(series.updated_at);
    if (!series.dates.length) {
      showStatus(T["no-data"], true);
      return;
    }
    state.dates = series.dates;
    for (const day of progress.days) state.progress.set(day.date, day);
    for (const area of series.areas) state.areas.set(area.code, area);
    state.communes = series.areas.filter((a) => a.tier === "commune");
    state.districts = series.areas.filter((a) => a.tier === "district");
    state.province = series.areas.find((a) => a.code === cfg.area) || series.areas.find((a) => a.tier === "province") || null;

    for (const a of announcements) {
      for (const u of a.units) {
        if (!state.announced.has(u.commune_code)) state.announced.set(u.commune_code, []);
        state.announced.get(u.commune_code).push({ name: u.name, from: a.valid_from, until: a.valid_until, flaggedOn: u.flagged_on });
      }
    }

    drawMap(geometry);
    drawGrid();
    drawUnits();
    drawSparkline();
    setUpTime();
    showStatus("");
    render();
  }

  /* Where a commune goes: its boundary, else its centroid, else the grid. A centroid shared by
   * several communes, or equal to the province's or district's, is a placeholder: the grid. */
  function placement(geometryCodes) {
    const seen = new Map();
    const key = (c) => c && `${c[0].toFixed(5)},${c[1].toFixed(5)}`;
    for (const a of state.communes) if (a.centroid) seen.set(key(a.centroid), (seen.get(key(a.centroid)) || 0) + 1);
    const placeholders = new Set(
      [state.province, ...state.districts].filter((a) => a && a.centroid).map((a) => key(a.centroid)),
    );
    const result = new Map();
    for (const a of state.communes) {
      if (geometryCodes.has(a.code)) result.set(a.code, "boundary");
      else if (a.centroid && seen.get(key(a.centroid)) === 1 && !placeholders.has(key(a.centroid))) result.set(a.code, "circle");
      else result.set(a.code, "grid");
    }
    return result;
  }

  function baseRadius(area, median) {
    const p = area.population || median || 1;
    return 7 * Math.min(1.7, Math.max(0.7, Math.sqrt(p / (median || p))));
  }
  const zoomFactor = () => Math.min(2.6, Math.max(0.55, 2 ** ((map.getZoom() - baseZoom) / 2)));

  function tooltipFor(area) {
    return () => {
      const level = levelOf(area);
      return h("div", { class: "rm-tip" }, h("b", { text: area.name }), `${area.parent_name || ""} · ${colourName(level)}`);
    };
  }

  function drawMap(geometry) {
    // The wheel zooms the map only once the user has clicked it: scrolling the page stays scrolling.
    map = L.map("rm-map", { zoomControl: false, attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
    map.on("click focus", () => map.scrollWheelZoom.enable());
    map.on("mouseout blur", () => map.scrollWheelZoom.disable());
    L.control.zoom({ zoomInTitle: T["zoom-in"], zoomOutTitle: T["zoom-out"] }).addTo(map);
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    map.createPane("rm-polygons").style.zIndex = 390; // boundaries under the circles
    map.createPane("rm-labels").style.zIndex = 450; // names over the areas, under the tooltips
    // A first view, so that layers are drawn (and have their elements) as soon as they are added.
    map.setView(state.province && state.province.centroid ? state.province.centroid : [16, 106], 9);
    const features = new Map();
    for (const f of geometry.features || []) if (f.properties && state.areas.has(f.properties.code)) features.set(f.properties.code, f);
    const where = placement(new Set([...features.keys()].filter((c) => state.areas.get(c).tier === "commune")));
    state.where = where;

    const populations = state.communes.map((a) => a.population || 0).filter((p) => p > 0).sort((a, b) => a - b);
    const median = populations.length ? populations[Math.floor(populations.length / 2)] : 0;
    const bounds = L.latLngBounds([]);
    for (const area of state.communes) {
      const how = where.get(area.code);
      let layer = null;
      if (how === "boundary") {
        layer = L.geoJSON(features.get(area.code), { className: "rm-area rm-commune", pane: "rm-polygons" }).getLayers()[0];
      } else if (how === "circle") {
        layer = L.circleMarker(area.centroid, { className: "rm-area rm-commune", radius: baseRadius(area, median) });
        layer.rmRadius = baseRadius(area, median);
      }
      if (!layer) continue;
      layer.addTo(map);
      layer.bindTooltip(tooltipFor(area), { sticky: how === "boundary", direction: "top", opacity: 0.95 });
      layer.on("click", () => select(area.code));
      for (const el of elementsOf(layer)) {
        el.setAttribute("data-code", area.code);
        el.setAttribute("data-shape", how);
      }
      state.shapes.set(area.code, layer);
      if (layer.getBounds) bounds.extend(layer.getBounds());
      else bounds.extend(layer.getLatLng());
    }
    // District names, at the middle of their communes
    const labels = [];
    for (const d of state.districts) {
      const points = state.communes.filter((a) => a.parent_code === d.code && state.shapes.has(a.code))
        .map((a) => { const l = state.shapes.get(a.code); return l.getBounds ? l.getBounds().getCenter() : l.getLatLng(); });
      if (!points.length) continue;
      const lat = points.reduce((t, p) => t + p.lat, 0) / points.length;
      const lng = points.reduce((t, p) => t + p.lng, 0) / points.length;
      const icon = L.divIcon({ className: "rm-dlabel", html: "", iconSize: null });
      const marker = L.marker([lat, lng], { icon, pane: "rm-labels", interactive: false, keyboard: false }).addTo(map);
      marker.getElement().append(h("span", { text: shortName(d.name) }));
      labels.push({ marker, weight: points.length });
    }
    // Where two names would overlap, the district with more communes keeps its name.
    state.labels = labels.sort((a, b) => b.weight - a.weight).map((l) => l.marker);
    state.bounds = bounds;
    fit();
    map.on("zoomend", () => {
      resizeCircles();
      declutter();
    });
    map.on("zoomstart dragstart", () => {
      if (!state.fitting) state.userMoved = true;
    });
    // The map's box changes size with the page (a phone turned sideways): keep Leaflet in step,
    // and fit the province again unless the user has moved the map.
    if ("ResizeObserver" in window) {
      new ResizeObserver(() => {
        map.invalidateSize({ pan: false });
        if (!state.userMoved) fit();
      }).observe($("rm-map"));
    }
  }

  function fit() {
    const size = map.getSize();
    // A box with no room (hidden, or caught in the middle of a relayout) has nothing to fit.
    if (!state.bounds || !state.bounds.isValid() || size.x < 80 || size.y < 80) return;
    state.fitting = true;
    map.fitBounds(state.bounds, { padding: [24, 24], animate: false });
    state.fitting = false;
    baseZoom = map.getZoom();
    resizeCircles();
    declutter();
  }

  function declutter() {
    const shown = [];
    for (const marker of state.labels) {
      const span = marker.getElement().firstChild;
      span.style.visibility = "";
      const r = span.getBoundingClientRect();
      const clash = shown.some((o) => r.left < o.right + 4 && r.right + 4 > o.left && r.top < o.bottom && r.bottom > o.top);
      if (clash) span.style.visibility = "hidden";
      else shown.push(r);
    }
  }

  // A feature of several geometries (a GeometryCollection) is a group of paths.
  const elementsOf = (layer) =>
    layer.getElement ? [layer.getElement()] : layer.getLayers().flatMap((l) => elementsOf(l));

  function resizeCircles() {
    const f = zoomFactor();
    for (const layer of state.shapes.values()) if (layer.rmRadius) layer.setRadius(layer.rmRadius * f);
  }

  function drawGrid() {
    const grid = $("rm-grid");
    grid.replaceChildren();
    let count = 0;
    for (const d of state.districts) {
      const communes = state.communes.filter((a) => a.parent_code === d.code && state.where.get(a.code) === "grid");
      if (!communes.length) continue;
      const tiles = communes.map((a) => {
        const tile = h("button", {
          type: "button", class: "rm-tile", title: a.name, "aria-label": a.name, "data-code": a.code,
          "aria-pressed": "false", onclick: () => select(a.code),
        }, initials(a.name));
        state.tiles.set(a.code, tile);
        return tile;
      });
      count += communes.length;
      grid.append(h("div", { class: "rm-block" }, h("h3", { text: d.name }), h("div", { class: "rm-tiles" }, tiles)));
    }
    // Communes whose district is missing from the series still get a tile.
    const orphans = state.communes.filter((a) => state.where.get(a.code) === "grid" && !state.tiles.has(a.code));
    if (orphans.length) {
      const tiles = orphans.map((a) => {
        const tile = h("button", { type: "button", class: "rm-tile", title: a.name, "aria-label": a.name, "data-code": a.code, onclick: () => select(a.code) }, initials(a.name));
        state.tiles.set(a.code, tile);
        return tile;
      });
      count += orphans.length;
      grid.append(h("div", { class: "rm-block" }, h("h3", { text: "—" }), h("div", { class: "rm-tiles" }, tiles)));
    }
    $("rm-grid-count").textContent = fill(T["communes-short"], { n: count });
    $("rm-grid-panel").hidden = count === 0;
  }

  function initials(name) {
    const words = shortName(name).split(/\s+/u).filter(Boolean);
    return words.map((w) => w[0]).join("").slice(0, 3).toUpperCase();
  }

  function drawUnits() {
    const list = $("rm-units");
    list.replaceChildren();
    const units = [state.province, ...state.districts].filter(Boolean);
    for (const u of units) {
      const button = h("button", { type: "button", "aria-pressed": "false", onclick: () => select(u.code) },
        h("span", { class: "rm-sw" }), h("span", { class: "rm-uname", text: u.name }), h("span", { class: "rm-ucolour" }));
      state.unitButtons.set(u.code, button);
      list.append(h("li", { class: u.tier === "province" ? "rm-province" : null }, button));
    }
  }

  /* The progress sparkline: share of communes green per day, with the target date */
  const SPARK = { w: 320, h: 86, left: 30, right: 8, top: 8, bottom: 18 };
  const sparkX = (i) => SPARK.left + (i / Math.max(1, state.dates.length - 1)) * (SPARK.w - SPARK.left - SPARK.right);
  const sparkY = (share) => SPARK.top + (1 - share) * (SPARK.h - SPARK.top - SPARK.bottom);

  function drawSparkline() {
    const svg = $("rm-spark");
    svg.replaceChildren();
    const i0 = state.dates.indexOf(CAMPAIGN_START);
    const i1 = state.dates.indexOf(CAMPAIGN_END);
    if (i0 >= 0 && i1 >= 0) {
      svg.append(s("rect", { x: sparkX(i0), y: SPARK.top, width: sparkX(i1) - sparkX(i0), height: SPARK.h - SPARK.top - SPARK.bottom, fill: "#eef5f1" }));
    }
    for (const share of [0, 0.5, 1]) {
      svg.append(s("line", { x1: SPARK.left, x2: SPARK.w - SPARK.right, y1: sparkY(share), y2: sparkY(share), stroke: "#dfe6e2", "stroke-width": 1 }));
      svg.append(s("text", { x: SPARK.left - 4, y: sparkY(share) + 3, "text-anchor": "end" }, `${share * 100}%`));
    }
    let path = "";
    let area = "";
    state.dates.forEach((date, i) => {
      const day = state.progress.get(date);
      if (!day) return;
      const x = sparkX(i).toFixed(1);
      const y = sparkY(day.share_green).toFixed(1);
      path += `${path ? "L" : "M"}${x},${y}`;
      area += `${area ? "L" : `M${x},${sparkY(0)}L`}${x},${y}`;
    });
    if (area) {
      const lastX = sparkX(state.dates.length - 1).toFixed(1);
      svg.append(s("path", { d: `${area}L${lastX},${sparkY(0)}Z`, fill: "rgba(46,158,91,.18)" }));
      svg.append(s("path", { d: path, fill: "none", stroke: COLOURS[1], "stroke-width": 2, "stroke-linejoin": "round" }));
    }
    const it = state.dates.indexOf(TARGET);
    if (it >= 0) {
      const x = sparkX(it);
      svg.append(s("line", { x1: x, x2: x, y1: SPARK.top - 4, y2: SPARK.h - SPARK.bottom, stroke: COLOURS[4], "stroke-width": 1.5, "stroke-dasharray": "3 2" }));
      svg.append(s("text", { x, y: SPARK.h - 4, "text-anchor": "middle", fill: COLOURS[4], style: `fill:${COLOURS[4]};font-weight:600` }, `${T.target} ${dm(TARGET)}`));
    }
    svg.append(s("text", { x: SPARK.left, y: SPARK.h - 4, "text-anchor": "start" }, dm(state.dates[0])));
    svg.append(s("text", { x: SPARK.w - SPARK.right, y: SPARK.h - 4, "text-anchor": "end" }, dm(state.dates[state.dates.length - 1])));
    svg.append(s("line", { id: "rm-spark-now", x1: 0, x2: 0, y1: SPARK.top, y2: SPARK.h - SPARK.bottom, stroke: "#1d2a24", "stroke-width": 1 }));
    svg.append(s("circle", { id: "rm-spark-dot", cx: 0, cy: 0, r: 3.5, fill: "#1d2a24" }));
  }

  /* Date slider and play button */
  function setUpTime() {
    slider.max = String(state.dates.length - 1);
    slider.disabled = false;
    playButton.disabled = false;
    $("rm-first").textContent = dmy(state.dates[0]);
    $("rm-last").textContent = dmy(state.dates[state.dates.length - 1]);
    let i = state.dates.length - 1;
    if (cfg.start) {
      const exact = state.dates.indexOf(cfg.start);
      if (exact >= 0) i = exact;
      else if (cfg.start < state.dates[0]) i = 0;
    }
    state.index = i;
    slider.value = String(i);
    slider.addEventListener("input", () => {
      stop();
      state.index = Number(slider.value);
      render();
    });
    playButton.addEventListener("click", () => (state.timer ? stop() : play()));
  }

  function play() {
    const last = state.dates.length - 1;
    const cStart = Math.max(0, state.dates.indexOf(CAMPAIGN_START));
    const cEnd = state.dates.indexOf(CAMPAIGN_END);
    // From the start of the campaign, unless the user is already inside it.
    if (cEnd >= 0 && state.index >= cEnd) state.index = cStart;
    else if (state.index >= last) state.index = 0;
    state.playUntil = cEnd >= 0 && state.index < cEnd ? cEnd : last;
    playButton.setAttribute("aria-pressed", "true");
    playButton.querySelector(".rm-play-icon").textContent = "❚❚";
    $("rm-play-label").textContent = T.pause;
    render();
    state.timer = setInterval(() => {
      if (state.index >= state.playUntil) return stop();
      state.index += 1;
      render();
    }, 1000 / DAYS_PER_SECOND);
  }

  function stop() {
    if (!state.timer) return;
    clearInterval(state.timer);
    state.timer = null;
    playButton.setAttribute("aria-pressed", "false");
    playButton.querySelector(".rm-play-icon").textContent = "▶";
    $("rm-play-label").textContent = T.play;
    render();
  }

  function goTo(date) {
    const i = state.dates.indexOf(date);
    if (i < 0) return;
    stop();
    state.index = i;
    render();
  }

  /* Green communes with an orange or red neighbour that day */
  function intrusions(i) {
    const flagged = new Map();
    for (const a of state.communes) {
      if (levelOf(a, i) !== 1) continue;
      const hot = a.neighbours.filter((code) => code !== a.code && levelOf(state.areas.get(code), i) >= 3);
      if (hot.length) flagged.set(a.code, hot);
    }
    return flagged;
  }

  /* Villages announced safe on a day, by commune: [in force and clear, under review] */
  function announcedOn(date) {
    const out = new Map();
    for (const [commune, units] of state.announced) {
      const valid = units.filter((u) => u.from <= date && date <= u.until);
      if (!valid.length) continue;
      const flagged = valid.filter((u) => u.flaggedOn && u.flaggedOn <= date);
      out.set(commune, [valid.filter((u) => !flagged.includes(u)), flagged]);
    }
    return out;
  }

  function drawFlags(announced) {
    if (!state.flagLayer) state.flagLayer = L.layerGroup().addTo(map);
    state.flagLayer.clearLayers();
    let clear = 0, flaggedCount = 0;
    for (const [commune, [ok, flagged]] of announced) {
      clear += ok.length;
      flaggedCount += flagged.length;
      const layer = state.shapes.get(commune);
      if (flagged.length && layer) {
        const at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
        const marker = L.marker(at, {
          icon: L.divIcon({ className: "rm-flag", html: "⚠", iconSize: [18, 18] }),
          keyboard: false,
          title: fill(T["flagged-in"], { names: flagged.map((u) => u.name).join(", ") }),
        });
        marker.on("click", () => select(commune));
        state.flagLayer.addLayer(marker);
      }
      const tile = state.tiles.get(commune);
      if (tile) tile.dataset.announcement = flagged.length ? "flagged" : "safe";
    }
    $("rm-n-announced").textContent = String(clear);
    $("rm-n-flagged").textContent = String(flaggedCount);
  }

  /* Draw one day */
  function render() {
    const i = state.index;
    const date = state.dates[i];
    slider.value = String(i);
    slider.setAttribute("aria-valuetext", dmy(date));
    $("rm-date").textContent = dmy(date);

    const flagged = intrusions(i);
    state.flagged = flagged;
    const counts = [0, 0, 0, 0, 0];
    for (const a of state.communes) counts[levelOf(a, i)] += 1;
    for (const [code, layer] of state.shapes) {
      const area = state.areas.get(code);
      const level = levelOf(area, i);
      const ring = flagged.has(code);
      const chosen = state.selected === code;
      layer.setStyle({
        fillColor: COLOURS[level],
        fillOpacity: 0.92,
        color: chosen ? "#000" : ring ? RING : "#ffffff",
        weight: chosen ? 3.5 : ring ? 2.5 : 1.2,
        dashArray: ring ? "4 3" : null,
        opacity: 1,
      });
      for (const el of elementsOf(layer)) {
        el.setAttribute("data-level", String(level));
        el.setAttribute("data-intrusion", ring ? "1" : "0");
      }
      if (ring || chosen) layer.bringToFront();
    }
    if (state.selected && state.shapes.has(state.selected)) state.shapes.get(state.selected).bringToFront();
    for (const [code, tile] of state.tiles) {
      const level = levelOf(state.areas.get(code), i);
      tile.className = `rm-tile lvl-${level}`;
      tile.dataset.level = String(level);
      tile.dataset.intrusion = flagged.has(code) ? "1" : "0";
      tile.title = `${state.areas.get(code).name} · ${colourName(level)}`;
    }
    for (const level of [0, 1, 2, 3, 4]) $(`rm-n-${level}`).textContent = String(counts[level]);
    $("rm-row-0").hidden = counts[0] === 0;
    $("rm-n-intrusion").textContent = String(flagged.size);

    for (const [code, button] of state.unitButtons) {
      const level = levelOf(state.areas.get(code), i);
      button.querySelector(".rm-sw").className = `rm-sw lvl-${level}`;
      button.querySelector(".rm-ucolour").textContent = colourName(level);
      button.dataset.level = String(level);
    }
    state.announcedToday = announcedOn(date);
    drawFlags(state.announcedToday);
    renderProgress(i, date);
    renderDetail();
    rememberDate(date);
  }

  function renderProgress(i, date) {
    const day = state.progress.get(date);
    $("rm-share-green").textContent = day ? pct(day.share_green) : "–";
    $("rm-count-green").textContent = day ? fill(T["communes-count"], { green: day.green, total: day.communes }) : "";
    $("rm-share-pop").textContent = day ? pct(day.share_population_green) : "–";
    $("rm-count-pop").textContent = day
      ? fill(T["people-count"], { green: groupDigits(day.population_green), total: groupDigits(day.population) })
      : "";
    const x = sparkX(i);
    const now = $("rm-spark-now");
    if (now) {
      now.setAttribute("x1", x);
      now.setAttribute("x2", x);
      const dot = $("rm-spark-dot");
      dot.setAttribute("cx", x);
      dot.setAttribute("cy", day ? sparkY(day.share_green) : sparkY(0));
      dot.style.display = day ? "" : "none";
    }
    const note = $("rm-target-note");
    const allGreenSince = (() => {
      let since = null;
      for (let j = 0; j <= i; j += 1) {
        const d = state.progress.get(state.dates[j]);
        if (d && d.communes && d.green === d.communes) since = since || state.dates[j];
        else since = null;
      }
      return since;
    })();
    if (allGreenSince && allGreenSince >= CAMPAIGN_START) note.textContent = fill(T.reached, { date: dmy(allGreenSince) });
    else if (date < TARGET) note.textContent = fill(T["days-left"], { n: daysBetween(date, TARGET), date: dmy(TARGET) });
    else {
      const onTarget = state.progress.get(TARGET);
      note.textContent = onTarget ? fill(T["on-target"], { date: dmy(TARGET), share: pct(onTarget.share_green) }) : "";
    }
  }

  /* The selected area: name, district, level and colour that day, the reason, the history */
  function select(code) {
    const previous = state.selected;
    state.selected = code;
    for (const [c, button] of state.unitButtons) button.setAttribute("aria-pressed", c === code ? "true" : "false");
    for (const [c, tile] of state.tiles) tile.setAttribute("aria-pressed", c === code ? "true" : "false");
    if (previous !== code) state.detailKey = null;
    render();
    if (window.matchMedia("(max-width: 900px)").matches && previous !== code) {
      $("rm-detail").scrollIntoView({ behavior: "smooth", block: "start" });
    }
  }

  function historyOf(code) {
    if (!state.history.has(code)) {
      state.history.set(code, getJSON(cfg.urls.history.replace("CODE", encodeURIComponent(code))).catch((e) => {
        state.history.delete(code);
        throw e;
      }));
    }
    return state.history.get(code);
  }

  function levelsOf(date, parent) {
    const key = `${date}|${parent}`;
    if (!state.explanations.has(key)) {
      state.explanations.set(key, getJSON(api("levels", { date, parent })).catch((e) => {
        state.explanations.delete(key);
        throw e;
      }));
    }
    return state.explanations.get(key);
  }

  let explainTimer = null;

  function announcementLines(code) {
    const [ok, flagged] = (state.announcedToday && state.announcedToday.get(code)) || [[], []];
    return present(
      ok.length ? h("p", { class: "rm-announced", text: `✓ ${fill(T["announced-in"], { names: ok.map((u) => u.name).join(", ") })}` }) : null,
      flagged.length ? h("p", { class: "rm-flagged", id: "rm-detail-flagged", text: `⚠ ${fill(T["flagged-in"], { names: flagged.map((u) => u.name).join(", ") })}` }) : null,
    );
  }

  function renderDetail() {
    const code = state.selected;
    const body = $("rm-detail-body");
    if (!code) return;
    const area = state.areas.get(code);
    const date = state.dates[state.index];
    const level = levelOf(area);
    const key = `${code}|${date}`;
    if (state.detailKey === key) return;
    const firstTime = !state.detailKey || !state.detailKey.startsWith(`${code}|`);
    state.detailKey = key;
    $("rm-detail-empty").hidden = true;
    body.hidden = false;

    if (firstTime) {
      const facts = area.population
        ? `${T.population}: ${groupDigits(area.population)}${area.population_estimated ? ` (${T.estimate})` : ""}`
        : null;
      body.replaceChildren(...present(
        h("h3", { id: "rm-detail-name", text: area.name }),
        area.parent_name ? h("p", { class: "rm-sub", text: area.parent_name }) : null,
        h("div", { id: "rm-detail-day" }),
        h("h4", { text: T.history }),
        h("div", { id: "rm-history" }),
        h("h4", { text: T.changes }),
        h("ul", { class: "rm-changes", id: "rm-changes" }),
        facts ? h("p", { class: "rm-facts", text: facts }) : null,
        h("p", { class: "rm-facts" }, h("a", { href: cfg.urls.area.replace("CODE", encodeURIComponent(code)), text: T["area-page"] })),
      ));
      historyOf(code).then((history) => {
        if (state.selected === code) drawHistory(area, history);
      }).catch(() => {
        $("rm-history").textContent = T["load-error"];
      });
    } else {
      markHistory();
    }

    const day = $("rm-detail-day");
    day.replaceChildren(...present(
      h("div", { class: "rm-levelline" },
        h("span", { class: "muted", text: `${fill(T["level-on"], { date: dmy(date) })}:` }),
        h("span", { class: `rm-chip lvl-${level}`, id: "rm-detail-level", "data-level": String(level) },
          h("span", { class: `rm-sw lvl-${level}` }),
          level ? `${colourName(level)} — ${T[`meaning-${level}`]}` : colourName(0)),
        h("span", { class: "rm-computed", id: "rm-detail-computed" })),
      h("div", { id: "rm-detail-override" }),
      h("p", { class: `rm-explanation lvl-${level}`, id: "rm-explanation" }, area.parent_code ? T.explaining : ""),
      ...announcementLines(code),
      state.flagged && state.flagged.has(code)
        ? h("p", { class: "rm-intrusion", id: "rm-detail-intrusion", text: fill(T["intrusion-near"], {
          names: state.flagged.get(code).map((c) => `${state.areas.get(c)?.name || c} (${colourName(levelOf(state.areas.get(c)))})`).join(", "),
        }) })
        : null,
    ));
    if (!area.parent_code) {
      $("rm-explanation").hidden = true;
      return;
    }
    // While the campaign plays, fetch the reason only once the date rests.
    clearTimeout(explainTimer);
    explainTimer = setTimeout(() => explain(area, date, key), state.timer ? 600 : 0);
  }

  async function explain(area, date, key) {
    let rows;
    try {
      rows = await levelsOf(date, area.parent_code);
    } catch (err) {
      if (state.detailKey === key) $("rm-explanation").textContent = T["load-error"];
      return;
    }
    if (state.detailKey !== key) return;
    const row = rows.find((r) => r.area_code === area.code);
    const text = $("rm-explanation");
    text.textContent = row && row.explanation ? row.explanation : T["no-explanation"];
    if (!row) return;
    // The reason explains the computed level: its colour, even when a decision set another.
    text.className = `rm-explanation lvl-${row.computed_level || 0}`;
    if (row.override) {
      $("rm-detail-computed").textContent = `(${fill(T.computed, { colour: colourName(row.computed_level) })})`;
      const o = row.override;
      const when = [fill(T["override-from"], { start: dmy(o.date_from) }), o.date_to ? fill(T["override-until"], { end: dmy(o.date_to) }) : null]
        .filter(Boolean).join(" ");
      $("rm-detail-override").replaceChildren(h("div", { class: "rm-override" },
        h("b", { text: fill(T.override, { number: o.decision_number }) }), ` — ${colourName(o.level)}, ${when}.`,
        h("br"), `${T.reason}: ${o.reason}`));
    }
  }

  /* The history: a bar per day, its height and colour by level; the changes listed below */
  const HIST = { w: 320, h: 64, top: 4, bottom: 16 };
  function drawHistory(area, history) {
    const holder = $("rm-history");
    const svg = s("svg", { class: "rm-hist", viewBox: `0 0 ${HIST.w} ${HIST.h}`, role: "img", "aria-label": T.history });
    const n = state.dates.length;
    const bw = HIST.w / n;
    const byDate = new Map(history.levels.map((l) => [l.date, l.level]));
    const inner = HIST.h - HIST.top - HIST.bottom;
    // One bar per run of days at the same level
    let from = 0;
    state.dates.forEach((date, i) => {
      const level = byDate.get(date) || 0;
      const next = i + 1 < n ? byDate.get(state.dates[i + 1]) || 0 : -1;
      if (next === level) return;
      const height = level ? (inner * level) / 4 : 2;
      svg.append(s("rect", {
        x: (from * bw).toFixed(2), y: (HIST.top + inner - height).toFixed(2),
        width: ((i + 1 - from) * bw).toFixed(2), height: height.toFixed(2), fill: COLOURS[level],
        "shape-rendering": "crispEdges", "data-level": String(level),
      }));
      from = i + 1;
    });
    svg.append(s("line", { x1: 0, x2: HIST.w, y1: HIST.top + inner + 0.5, y2: HIST.top + inner + 0.5, stroke: "#9aa6a0", "stroke-width": 1 }));
    // First day of each month
    state.dates.forEach((date, i) => {
      if (date.endsWith("-01")) {
        svg.append(s("line", { x1: i * bw, x2: i * bw, y1: HIST.top + inner, y2: HIST.top + inner + 4, stroke: "#9aa6a0" }));
        svg.append(s("text", { x: i * bw, y: HIST.h - 2, "text-anchor": "middle" }, dm(date)));
      }
    });
    const it = state.dates.indexOf(TARGET);
    if (it >= 0) svg.append(s("line", { x1: (it + 0.5) * bw, x2: (it + 0.5) * bw, y1: 0, y2: HIST.top + inner, stroke: RING, "stroke-width": 1, "stroke-dasharray": "2 2" }));
    svg.append(s("rect", { id: "rm-hist-now", x: 0, y: 0, width: Math.max(1.5, bw), height: HIST.top + inner, fill: "none", stroke: "#000", "stroke-width": 1.2 }));
    holder.replaceChildren(svg);
    markHistory();

    const list = $("rm-changes");
    list.replaceChildren();
    if (!history.changes.length) list.append(h("li", { class: "muted", text: T["no-change"] }));
    for (const c of history.changes) {
      list.append(h("li", { "data-date": c.date },
        h("span", { class: `rm-sw lvl-${c.from}`, "aria-hidden": "true" }), " ",
        h("span", { class: `rm-sw lvl-${c.to}`, "aria-hidden": "true" }), " ",
        h("button", { type: "button", onclick: () => goTo(c.date) },
          fill(T.change, { from: colourName(c.from), to: colourName(c.to), date: dmy(c.date) }))));
    }
  }

  function markHistory() {
    const now = $("rm-hist-now");
    if (!now) return;
    const bw = HIST.w / state.dates.length;
    now.setAttribute("x", (state.index * bw).toFixed(2));
  }

  /* Keep the date in the address, so that a link shows the same day */
  let urlTimer = null;
  function rememberDate(date) {
    clearTimeout(urlTimer);
    urlTimer = setTimeout(() => {
      const url = new URL(window.location.href);
      url.searchParams.set("date", date);
      window.history.replaceState(null, "", url);
      // Switching the language comes back to the same day.
      for (const input of document.querySelectorAll("form.langswitch input[name=next]")) {
        input.value = `${url.pathname}${url.search}`;
      }
    }, 400);
  }

  start();
})();
