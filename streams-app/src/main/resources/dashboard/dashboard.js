// FusionStream live dashboard: listens to /events (server-sent events) and keeps three rolling
// uPlot charts, the latest prediction per session and the dead letters up to date.
(function () {
  'use strict';

  const MAX_POINTS = 300;
  const MAX_ROWS = 50;
  const MAX_DEAD_LETTERS = 10;
  const CHART_HEIGHT = 220;
  const COLORS = {
    text: '#4ea1ff', image: '#f5a524', audio: '#3ccf91', predictions: '#e15fd0',
    p50: '#3ccf91', p95: '#f5a524', p99: '#ff5c5c', fuse: '#e15fd0',
  };

  const view = {
    modalities: ['text', 'image', 'audio'],
    threshold: 0.5,
    charts: {},
    rows: new Map(),
  };

  // ---- small DOM helpers ----------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function setText(id, text) {
    document.getElementById(id).textContent = text;
  }

  function fmt(n, digits) {
    return n === null || n === undefined || Number.isNaN(n) ? '–' : Number(n).toFixed(digits);
  }

  function clock(ms) {
    return new Date(ms).toLocaleTimeString([], { hour12: false });
  }

  // ---- charts ---------------------------------------------------------------------------------

  // uPlot gives a y axis a fixed 50 px, which clips labels wider than about 35 px: "15,000" ms
  // showed as "5,000". Size it to its widest label instead, measured in the axis font.
  function yAxisSize(u, values, axisIdx, cycleNum) {
    const a = u.axes[axisIdx];
    // uPlot re-runs sizing until it settles; keep the last answer after two rounds so it converges.
    if (cycleNum > 1) return a._size;
    let widest = 0;
    if (values) {
      u.ctx.font = a.font[0];
      values.forEach((v) => { widest = Math.max(widest, u.ctx.measureText(v).width); });
    }
    return Math.ceil(a.ticks.size + a.gap + widest / devicePixelRatio + 4);
  }

  function axis(vertical) {
    const a = {
      stroke: '#8796a5',
      grid: { stroke: '#26313d', width: 1 },
      ticks: { stroke: '#26313d', width: 1 },
    };
    if (vertical) a.size = yAxisSize;
    return a;
  }

  function makeChart(id, series) {
    const target = document.getElementById(id);
    const opts = {
      width: Math.max(300, target.clientWidth),
      height: CHART_HEIGHT,
      scales: { x: { time: true } },
      axes: [axis(false), axis(true)],
      legend: { live: true },
      series: [{}].concat(series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        spanGaps: true,
        points: { show: false },
        value: (u, v) => fmt(v, s.digits),
      }))),
    };
    const data = [[]].concat(series.map(() => []));
    const chart = { plot: new uPlot(opts, data, target), data, target, keys: series.map((s) => s.key) };
    view.charts[id] = chart;
    return chart;
  }

  function clearChart(chart) {
    chart.data.forEach((column) => { column.length = 0; });
    chart.plot.setData(chart.data);
  }

  function pushPoint(chart, t, values, redraw) {
    chart.data[0].push(t / 1000);
    chart.keys.forEach((key, i) => {
      const v = values[key];
      chart.data[i + 1].push(v === undefined ? null : v);
    });
    if (chart.data[0].length > MAX_POINTS) chart.data.forEach((column) => column.shift());
    if (redraw) draw(chart);
  }

  function draw(chart) {
    chart.plot.setData(chart.data);
    // With the pointer off the chart, the legend shows the latest values instead of dashes.
    const left = chart.plot.cursor.left;
    if ((left === undefined || left === null || left < 0) && chart.data[0].length > 0) {
      chart.plot.setLegend({ idx: chart.data[0].length - 1 });
    }
  }

  function buildCharts() {
    Object.values(view.charts).forEach((c) => c.plot.destroy());
    view.charts = {};
    makeChart('chart-throughput', view.modalities
      .map((m) => ({ key: m, label: m + ' events/s', color: COLORS[m] || '#aaa', digits: 1 }))
      .concat([{ key: 'predictions', label: 'predictions/s', color: COLORS.predictions, digits: 1 }]));
    makeChart('chart-latency', ['p50', 'p95', 'p99']
      .map((q) => ({ key: q, label: q, color: COLORS[q], digits: 0 })));
    makeChart('chart-batch', view.modalities
      .map((m) => ({ key: 'encode_' + m, label: 'encode ' + m, color: COLORS[m] || '#aaa', digits: 1 }))
      .concat([{ key: 'fuse', label: 'fuse', color: COLORS.fuse, digits: 1 }]));
    makeChart('chart-lag', [
      { key: 'input', label: 'input topics', color: COLORS.text, digits: 0 },
      { key: 'internal', label: 'repartition', color: COLORS.fuse, digits: 0 },
    ]);
  }

  function resizeCharts() {
    Object.values(view.charts).forEach((c) => {
      c.plot.setSize({ width: Math.max(300, c.target.clientWidth), height: CHART_HEIGHT });
    });
  }

  // ---- snapshots ------------------------------------------------------------------------------

  function addSnapshot(s, redraw) {
    const throughput = Object.assign({ predictions: s.predictionsPerSec }, s.eventsPerSec);
    pushPoint(view.charts['chart-throughput'], s.t, throughput, redraw);
    const latencyMs = {};
    Object.entries(s.latencySeconds || {}).forEach(([q, v]) => { latencyMs[q] = v === null ? null : v * 1000; });
    pushPoint(view.charts['chart-latency'], s.t, latencyMs, redraw);
    const batch = {};
    Object.entries(s.batch || {}).forEach(([stage, b]) => { batch[stage] = b.mean; });
    pushPoint(view.charts['chart-batch'], s.t, batch, redraw);
    pushPoint(view.charts['chart-lag'], s.t, s.lag || {}, redraw);
    showFacts(s);
  }

  function showFacts(s) {
    setText('model-version', s.modelVersion || 'none');
    const state = document.getElementById('pipeline-state');
    state.textContent = s.state || '–';
    state.className = 'state ' + (s.state || '');
    setText('events-total', Math.round(s.eventsTotal));
    setText('predictions-total', Math.round(s.predictionsTotal));
    const w = s.windows || {};
    setText('windows', 'close ' + Math.round(w.close || 0) + ' · idle ' + Math.round(w.idle || 0)
      + ' · skipped ' + Math.round(w.skipped || 0));
    setText('late-dropped', Math.round(s.lateDropped));
    showReasons(s.deadLettersByReason || {});
  }

  // ---- predictions ----------------------------------------------------------------------------

  function bars(entries, className, digits) {
    const box = el('div', 'bars');
    entries.forEach(([name, value, extra]) => {
      box.appendChild(el('span', 'name', name));
      const bar = el('div', 'bar ' + className + (extra ? ' ' + extra : ''));
      const fill = el('span');
      fill.style.width = value === null ? '0%' : Math.max(0, Math.min(100, value * 100)).toFixed(1) + '%';
      bar.appendChild(fill);
      box.appendChild(bar);
      box.appendChild(el('span', 'val', value === null ? 'absent' : fmt(value, digits)));
    });
    return box;
  }

  function renderRow(p) {
    const tr = el('tr');
    tr.dataset.session = p.session;
    tr.dataset.updates = p.updates;

    tr.appendChild(el('td', 'session', p.session));
    tr.appendChild(el('td', 'window', clock(p.windowStart) + '–' + clock(p.windowEnd)));

    const label = el('td');
    label.appendChild(el('div', 'label', p.label));
    const aux = Object.entries(p.auxLabels || {}).map(([m, l]) => m + ': ' + l).join(' · ');
    if (aux) label.appendChild(el('div', 'aux', aux));
    tr.appendChild(label);

    const scores = Object.entries(p.scores || {}).sort((a, b) => b[1] - a[1]).slice(0, 4)
      .map(([name, v], i) => [name, v, i === 0 ? 'top' : '']);
    const probs = el('td', 'probabilities');
    probs.appendChild(bars(scores, 'score', 2));
    tr.appendChild(probs);

    const weights = el('td', 'weights');
    weights.appendChild(bars(view.modalities.map((m) => [m, m in (p.weights || {}) ? p.weights[m] : null, m]), 'weight', 2));
    tr.appendChild(weights);

    const consistency = el('td', 'consistency', fmt(p.consistency, 2));
    if (p.disagree) {
      const flag = el('span', 'flag', 'disagree');
      flag.title = 'consistency under ' + view.threshold + ': the modalities predict different labels';
      consistency.appendChild(flag);
    }
    tr.appendChild(consistency);

    const present = el('td', 'present');
    view.modalities.forEach((m) => {
      const on = (p.present || []).includes(m);
      const count = p.eventCounts && p.eventCounts[m];
      present.appendChild(el('span', 'chip ' + m + (on ? ' on' : ' off'), on && count ? m + ' ' + count : m));
    });
    tr.appendChild(present);
    tr.appendChild(el('td', 'updates', String(p.updates)));
    return tr;
  }

  function showPrediction(p, animate) {
    const body = document.querySelector('#predictions tbody');
    const row = renderRow(p);
    const old = view.rows.get(p.session);
    if (old) old.remove();
    view.rows.set(p.session, row);
    body.insertBefore(row, body.firstChild);
    if (animate) row.classList.add('fresh');
    while (body.rows.length > MAX_ROWS) {
      const last = body.rows[body.rows.length - 1];
      view.rows.delete(last.dataset.session);
      last.remove();
    }
    document.getElementById('no-predictions').hidden = body.rows.length > 0;
  }

  // ---- dead letters ---------------------------------------------------------------------------

  function showReasons(byReason) {
    const box = document.getElementById('dead-letter-reasons');
    box.replaceChildren();
    const entries = Object.entries(byReason).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    if (entries.length === 0) {
      box.appendChild(el('span', 'empty', 'none'));
      return;
    }
    entries.forEach(([reason, n]) => {
      const badge = el('span', 'reason', reason);
      badge.appendChild(el('b', null, String(Math.round(n))));
      box.appendChild(badge);
    });
  }

  function showDeadLetter(d) {
    const list = document.getElementById('dead-letters');
    const item = el('li');
    item.appendChild(el('span', 'reason', d.reason));
    item.appendChild(el('span', 'where', clock(d.at) + ' ' + d.topic + '[' + d.partition + ']@' + d.offset));
    item.appendChild(el('span', 'message', d.message));
    list.insertBefore(item, list.firstChild);
    while (list.children.length > MAX_DEAD_LETTERS) list.lastChild.remove();
  }

  // ---- the feed -------------------------------------------------------------------------------

  function feedState(text, cls) {
    setText('feed-state', text);
    document.getElementById('feed-dot').className = 'dot ' + cls;
  }

  function onHello(hello) {
    view.modalities = hello.modalities;
    view.threshold = hello.disagreementThreshold;
    setText('threshold-note', 'flagged “disagree” when consistency < ' + Number(view.threshold).toFixed(3)
      + ' (the threshold fitted for the serving model)');
    buildCharts();
    Object.values(view.charts).forEach(clearChart);
    hello.history.forEach((s) => addSnapshot(s, false));
    Object.values(view.charts).forEach(draw);

    document.querySelector('#predictions tbody').replaceChildren();
    view.rows.clear();
    hello.predictions.slice().reverse().forEach((p) => showPrediction(p, false));
    document.getElementById('dead-letters').replaceChildren();
    hello.deadLetters.slice().reverse().forEach(showDeadLetter);
  }

  function connect() {
    const source = new EventSource('/events');
    source.addEventListener('open', () => feedState('live', 'live'));
    source.addEventListener('error', () => feedState('reconnecting', 'down'));
    source.addEventListener('hello', (e) => onHello(JSON.parse(e.data)));
    source.addEventListener('snapshot', (e) => addSnapshot(JSON.parse(e.data), true));
    source.addEventListener('predictions', (e) => JSON.parse(e.data).forEach((p) => showPrediction(p, true)));
    source.addEventListener('deadletters', (e) => JSON.parse(e.data).forEach(showDeadLetter));
  }

  // Read-only figures for the browser test and for poking around in the console.
  window.fusionDashboard = {
    points: (id) => view.charts[id].data[0].length,
    rows: () => view.rows.size,
    plot: (id) => view.charts[id].plot,
  };

  window.addEventListener('resize', resizeCharts);
  buildCharts();
  connect();
}());
