// The web UI of a running gale topology: reads /api/v1/topologies/NAME every
// REFRESH_MS and draws the topology as a graph (spouts and bolts laid out
// left to right by depth), the per-component metrics of the last minute,
// backpressure and the recent exceptions. Text from the server is only ever
// set as text, never parsed as HTML.
'use strict';

(function () {
  const REFRESH_MS = 1500;
  const WINDOW = '1m';
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const NODE_W = 220;
  const NODE_H = 92;
  const GAP_X = 150;
  const GAP_Y = 36;
  const MARGIN = 24;
  const BACK_LIFT = 46;  // how far above the nodes edges that go back are drawn
  const BUSY = 0.8;      // capacity from which a bolt counts as busy

  let topologyName = null;

  // ---- small helpers ------------------------------------------------------

  function html(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function num(x) { return typeof x === 'number' && isFinite(x) ? x : 0; }

  function rate(x) {
    x = num(x);
    if (x >= 1e6) return (x / 1e6).toFixed(2) + 'M';
    if (x >= 1e4) return (x / 1e3).toFixed(1) + 'K';
    if (x >= 100) return x.toFixed(0);
    return x.toFixed(1);
  }

  function ms(x) {
    x = num(x);
    if (x <= 0) return '–';
    if (x < 0.01) return (x * 1000).toFixed(2) + ' µs';
    if (x < 1) return (x * 1000).toFixed(0) + ' µs';
    if (x < 100) return x.toFixed(2) + ' ms';
    return x.toFixed(0) + ' ms';
  }

  // Green (idle) through yellow to red (capacity 1 and more).
  function capacityFill(cap) {
    const c = Math.max(0, Math.min(1, num(cap)));
    return 'hsl(' + Math.round(120 * (1 - c)) + ', 65%, ' + Math.round(86 - 4 * c) + '%)';
  }

  async function getJson(path) {
    const res = await fetch(path, { cache: 'no-store' });
    if (!res.ok) throw new Error(path + ': HTTP ' + res.status);
    return res.json();
  }

  function showError(message) {
    const e = document.getElementById('error');
    e.textContent = message;
    e.hidden = message === '';
  }

  // ---- layout -------------------------------------------------------------

  // Layers by depth: spouts (and anything unreachable from them) start at 0,
  // every other component sits one layer right of its deepest predecessor.
  // Edges that close a cycle (found by depth-first search from the spouts)
  // do not count for depth and are drawn back over the top.
  function layout(components, edges) {
    const index = new Map(components.map((c, i) => [c.id, i]));
    const n = components.length;
    const out = components.map(() => []);
    for (const e of edges) out[index.get(e.from)].push(index.get(e.to));

    const state = new Array(n).fill(0);  // 0 new, 1 on the stack, 2 done
    const order = [];                    // reverse post-order: a topological order
    const back = new Set();
    function visit(root) {
      const stack = [[root, 0]];
      state[root] = 1;
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        const [u, k] = top;
        if (k < out[u].length) {
          top[1]++;
          const v = out[u][k];
          if (state[v] === 1) back.add(u + '>' + v);
          else if (state[v] === 0) { state[v] = 1; stack.push([v, 0]); }
        } else {
          state[u] = 2;
          order.push(u);
          stack.pop();
        }
      }
    }
    components.forEach((c, i) => { if (c.kind === 'spout' && state[i] === 0) visit(i); });
    for (let i = 0; i < n; i++) if (state[i] === 0) visit(i);
    order.reverse();

    const depth = new Array(n).fill(0);
    for (const u of order) {
      for (const v of out[u]) {
        if (!back.has(u + '>' + v)) depth[v] = Math.max(depth[v], depth[u] + 1);
      }
    }
    const layers = [];
    for (let i = 0; i < n; i++) (layers[depth[i]] = layers[depth[i]] || []).push(i);
    // Order each layer by the mean position of its predecessors, so that
    // edges cross less.
    const pos = new Array(n).fill(0);
    const preds = components.map(() => []);
    out.forEach((vs, u) => vs.forEach((v) => preds[v].push(u)));
    layers.forEach((layer, d) => {
      if (d > 0) {
        const key = (v) => {
          const p = preds[v].filter((u) => depth[u] < d);
          return p.length ? p.reduce((s, u) => s + pos[u], 0) / p.length : v;
        };
        layer.sort((a, b) => key(a) - key(b) || a - b);
      }
      layer.forEach((v, i) => { pos[v] = i; });
    });
    // Room above the nodes only for edges drawn back over them.
    const lift = back.size > 0 ? BACK_LIFT : 0;
    const tallest = Math.max(1, ...layers.map((l) => (l ? l.length : 0)));
    const height = tallest * NODE_H + (tallest - 1) * GAP_Y;
    const boxes = new Array(n);
    layers.forEach((layer, d) => {
      if (!layer) return;
      const h = layer.length * NODE_H + (layer.length - 1) * GAP_Y;
      layer.forEach((v, i) => {
        boxes[v] = {
          x: MARGIN + d * (NODE_W + GAP_X),
          y: MARGIN + lift + (height - h) / 2 + i * (NODE_H + GAP_Y),
        };
      });
    });
    return {
      boxes, back, index,
      width: 2 * MARGIN + layers.length * NODE_W + Math.max(0, layers.length - 1) * GAP_X,
      height: 2 * MARGIN + lift + height,
    };
  }

  // ---- the graph ----------------------------------------------------------

  // Streams between the same two components share one edge.
  function edgesOf(streams) {
    const byPair = new Map();
    for (const s of streams) {
      const key = s.from + '\u0000' + s.to;
      if (!byPair.has(key)) byPair.set(key, { from: s.from, to: s.to, streams: [] });
      byPair.get(key).streams.push(s);
    }
    return [...byPair.values()];
  }

  function windowOf(t, id) {
    const c = t.components[id];
    return (c && c.metrics && c.metrics[WINDOW]) || {};
  }

  // Tuples a second over one stream of an edge: what the target executed
  // of that source component's stream (the master counts per stream);
  // null until both have reported.
  function streamRate(s) {
    const w = s.metrics && s.metrics[WINDOW];
    return w && w.executed_per_sec !== undefined ? num(w.executed_per_sec) : null;
  }

  function culpritsOf(t) {
    const names = new Set();
    const bp = t.backpressure || {};
    for (const c of bp.culprits || []) {
      for (const one of String(c).split(',')) {
        const colon = one.lastIndexOf(':');
        if (colon > 0) names.add(one.slice(0, colon));
      }
    }
    return names;
  }

  function drawGraph(t) {
    const components = t.logical_plan.components;
    const edges = edgesOf(t.logical_plan.streams);
    const g = layout(components, edges);
    const culprits = culpritsOf(t);

    const root = svg('svg', {
      width: g.width, height: g.height, viewBox: '0 0 ' + g.width + ' ' + g.height,
      role: 'img', 'aria-label': 'topology ' + t.name,
    });
    const defs = svg('defs');
    const marker = svg('marker', {
      id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5,
      markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse',
    });
    marker.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z' }));
    defs.appendChild(marker);
    root.appendChild(defs);

    const edgeLayer = svg('g', { class: 'edges' });
    const labelLayer = svg('g', { class: 'edge-labels' });
    const nodeLayer = svg('g', { class: 'nodes' });
    root.append(edgeLayer, nodeLayer, labelLayer);

    for (const e of edges) {
      const u = g.index.get(e.from);
      const v = g.index.get(e.to);
      const a = g.boxes[u];
      const b = g.boxes[v];
      const isBack = g.back.has(u + '>' + v);
      let d;
      let mid;
      if (u === v) {
        // A component that feeds itself: a loop over its top.
        const x = a.x + NODE_W / 2;
        d = 'M ' + (x + 20) + ' ' + a.y + ' C ' + (x + 40) + ' ' + (a.y - BACK_LIFT) + ', ' +
            (x - 40) + ' ' + (a.y - BACK_LIFT) + ', ' + (x - 20) + ' ' + a.y;
        mid = { x: x, y: a.y - BACK_LIFT * 0.75 };
      } else if (isBack) {
        // Closes a cycle: from the top of the later node back to the top of
        // the earlier one, above everything in between.
        const x1 = a.x + NODE_W / 2, x2 = b.x + NODE_W / 2;
        const top = Math.min(a.y, b.y) - BACK_LIFT;
        d = 'M ' + x1 + ' ' + a.y + ' C ' + x1 + ' ' + top + ', ' + x2 + ' ' + top + ', ' +
            x2 + ' ' + b.y;
        mid = { x: (x1 + x2) / 2, y: top + BACK_LIFT * 0.25 };
      } else {
        const x1 = a.x + NODE_W, y1 = a.y + NODE_H / 2;
        const x2 = b.x, y2 = b.y + NODE_H / 2;
        const dx = Math.max(40, (x2 - x1) / 2);
        d = 'M ' + x1 + ' ' + y1 + ' C ' + (x1 + dx) + ' ' + y1 + ', ' + (x2 - dx) + ' ' + y2 +
            ', ' + x2 + ' ' + y2;
        mid = { x: (x1 + x2) / 2, y: (y1 + y2) / 2 };
      }
      const group = svg('g', {
        class: 'edge' + (isBack || u === v ? ' back' : ''), 'data-from': e.from, 'data-to': e.to,
      });
      group.appendChild(svg('path', { d: d, 'marker-end': 'url(#arrow)' }));
      edgeLayer.appendChild(group);

      // Per stream: its grouping, then its rate.
      const lines = [];
      for (const s of e.streams) {
        let text = s.grouping;
        if (s.fields && s.fields.length) text += '(' + s.fields.join(', ') + ')';
        if (s.stream && s.stream !== 'default') text = s.stream + ': ' + text;
        lines.push({ text: text, cls: 'grouping' });
        const r = streamRate(s);
        lines.push({
          text: r === null ? '? /s' : rate(r) + ' /s', cls: 'rate',
          attrs: { 'data-stream': s.stream, 'data-rate': r === null ? '' : String(r) },
        });
      }
      const label = svg('g', { class: 'edge', 'data-from': e.from, 'data-to': e.to });
      const lineH = 13;
      const top = mid.y - (lines.length * lineH) / 2;
      const w = Math.max(...lines.map((l) => l.text.length)) * 6.2 + 8;
      label.appendChild(svg('rect', {
        class: 'label-bg', x: mid.x - w / 2, y: top - 2, width: w, height: lines.length * lineH + 4,
        rx: 3,
      }));
      lines.forEach((l, i) => {
        label.appendChild(svg('text', Object.assign({
          x: mid.x, y: top + (i + 1) * lineH - 3, 'text-anchor': 'middle', class: l.cls,
        }, l.attrs || {}), l.text));
      });
      labelLayer.appendChild(label);
    }

    components.forEach((c, i) => {
      const b = g.boxes[i];
      const w = windowOf(t, c.id);
      const spout = c.kind === 'spout';
      const cap = num(w.capacity);
      const busy = !spout && cap >= BUSY;
      const culprit = culprits.has(c.id);
      const node = svg('g', {
        class: 'node ' + c.kind + (busy ? ' busy' : '') + (culprit ? ' culprit' : ''),
        'data-component': c.id,
        transform: 'translate(' + b.x + ',' + b.y + ')',
      });
      node.appendChild(svg('rect', {
        width: NODE_W, height: NODE_H, rx: 8, fill: spout ? '' : capacityFill(cap),
      }));
      const title = svg('title', {}, c.id + ' (' + c['class'] + ')');
      node.appendChild(title);
      const lines = [
        ['name', c.id],
        ['', c.kind + ' × ' + c.parallelism],
        ['rate', spout ? rate(w.emitted_per_sec) + ' emitted/s' : rate(w.executed_per_sec) + ' executed/s'],
        ['', spout ? 'complete ' + ms(w.complete_latency_ms) + ', ' + rate(w.acked_per_sec) + ' acked/s'
                   : 'execute ' + ms(w.execute_latency_ms) + ', capacity ' + cap.toFixed(2)],
      ];
      if (culprit) lines.push(['warn', '⚠ backpressure culprit']);
      else if (busy) lines.push(['warn', 'busy']);
      lines.forEach(([cls, text], k) => {
        node.appendChild(svg('text', { x: 10, y: 19 + k * 16, class: cls }, text));
      });
      nodeLayer.appendChild(node);
    });

    const holder = document.getElementById('graph');
    holder.replaceChildren(root);
  }

  // ---- tables -------------------------------------------------------------

  function drawComponents(t) {
    const culprits = culpritsOf(t);
    const errors = new Map();
    for (const e of t.exceptions || []) errors.set(e.component, (errors.get(e.component) || 0) + 1);
    const rows = t.logical_plan.components.map((c) => {
      const w = windowOf(t, c.id);
      const spout = c.kind === 'spout';
      const cap = num(w.capacity);
      const tr = html('tr');
      tr.dataset.component = c.id;
      tr.dataset.rate = String(num(spout ? w.emitted_per_sec : w.executed_per_sec));
      if (!spout && cap >= BUSY) tr.classList.add('busy');
      if (culprits.has(c.id)) tr.classList.add('culprit');
      const cells = [
        [c.id], [c.kind], [String(c.parallelism)], [rate(w.emitted_per_sec)],
        [spout ? '–' : rate(w.executed_per_sec)], [rate(w.acked_per_sec)],
        [String(num(w.failed) + num(w.timed_out))],
        [spout ? '–' : ms(w.execute_latency_ms)], [spout ? ms(w.complete_latency_ms) : '–'],
        [spout ? '–' : cap.toFixed(3), 'capacity'], [String(num(w.user_errors))],
      ];
      for (const [text, cls] of cells) tr.appendChild(html('td', cls, text));
      return tr;
    });
    document.querySelector('#components tbody').replaceChildren(...rows);
  }

  function drawBackpressure(t) {
    const bp = t.backpressure || {};
    const p = document.getElementById('backpressure');
    const total = num(bp.seconds).toFixed(1) + ' s in ' + num(bp.episodes) + ' episode' +
                  (num(bp.episodes) === 1 ? '' : 's') + ' so far';
    if (bp.active) {
      p.className = 'active';
      p.textContent = 'Spouts held back now; culprit: ' + (bp.culprits || []).join(', ') +
                      '. ' + total + '.';
    } else {
      p.className = '';
      const last = (bp.containers || []).map((c) => c.last_culprit).filter((c) => c);
      p.textContent = 'None now. ' + total +
                      (last.length ? '; last culprit: ' + last.join(', ') : '') + '.';
    }
  }

  function drawExceptions(t) {
    const list = (t.exceptions || []).slice().sort((a, b) => b.time_ms - a.time_ms).slice(0, 50);
    const items = list.map((e) => {
      const li = html('li');
      li.append(html('span', 'when', new Date(e.time_ms).toISOString().replace('T', ' ').slice(0, 23)),
                html('span', 'where', e.component + ':' + e.task), html('span', 'message', e.message));
      return li;
    });
    if (items.length === 0) items.push(html('li', 'none', 'None.'));
    document.getElementById('exceptions').replaceChildren(...items);
  }

  function render(t) {
    document.title = t.name + ' · gale';
    document.getElementById('topology').textContent = t.name;
    const state = document.getElementById('state');
    state.textContent = t.active ? 'active' : 'inactive';
    state.className = 'badge ' + (t.active ? 'active' : 'inactive');
    document.getElementById('tasks').textContent =
        t.tasks_reporting + '/' + t.tasks + ' tasks reporting, ' + t.containers + ' container' +
        (t.containers === 1 ? '' : 's');
    document.getElementById('updated').textContent =
        'updated ' + new Date().toLocaleTimeString();
    drawGraph(t);
    drawComponents(t);
    drawBackpressure(t);
    drawExceptions(t);
  }

  async function refresh() {
    try {
      if (topologyName === null) {
        const list = await getJson('/api/v1/topologies');
        if (!list.topologies || list.topologies.length === 0) throw new Error('no topology here');
        topologyName = list.topologies[0].name;
      }
      render(await getJson('/api/v1/topologies/' + encodeURIComponent(topologyName)));
      showError('');
    } catch (err) {
      showError('Cannot read the topology (' + err.message + '); trying again.');
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  refresh();
})();
