// A small Deep Zoom viewer: the server's /v1/slides, each slide's .dzi, tiles drawn on a canvas.
'use strict';
(() => {
  const canvas = document.getElementById('view');
  const ctx = canvas.getContext('2d');
  const select = document.getElementById('slide-select');
  const info = document.getElementById('info');
  let img = null;            // {name, width, height, tileSize, overlap, format, maxLevel}
  let scale = 1;             // screen pixels per slide (level-0) pixel
  let ox = 0, oy = 0;        // slide pixel at the canvas's top left
  const tiles = new Map();   // url -> Image
  let loaded = 0;

  function resize() {
    canvas.width = canvas.clientWidth;
    canvas.height = canvas.clientHeight;
    draw();
  }

  function fit() {
    if (!img) return;
    scale = Math.min(canvas.width / img.width, canvas.height / img.height);
    ox = (img.width - canvas.width / scale) / 2;
    oy = (img.height - canvas.height / scale) / 2;
    draw();
  }

  function tileImage(url) {
    let t = tiles.get(url);
    if (!t) {
      t = new Image();
      t.onload = () => { loaded++; canvas.dataset.tilesLoaded = String(loaded); draw(); };
      t.src = url;
      tiles.set(url, t);
    }
    return t;
  }

  function drawLevel(level) {
    const f = Math.pow(2, img.maxLevel - level);          // slide pixels per level pixel
    const lw = Math.ceil(img.width / f), lh = Math.ceil(img.height / f);
    const cols = Math.ceil(lw / img.tileSize), rows = Math.ceil(lh / img.tileSize);
    const x0 = Math.max(0, Math.floor(ox / f / img.tileSize));
    const y0 = Math.max(0, Math.floor(oy / f / img.tileSize));
    const x1 = Math.min(cols - 1, Math.floor((ox + canvas.width / scale) / f / img.tileSize));
    const y1 = Math.min(rows - 1, Math.floor((oy + canvas.height / scale) / f / img.tileSize));
    let complete = true;
    for (let r = y0; r <= y1; r++) {
      for (let c = x0; c <= x1; c++) {
        const t = tileImage(`/slides/${encodeURIComponent(img.name)}_files/${level}/${c}_${r}.${img.format}`);
        if (!t.complete || t.naturalWidth === 0) { complete = false; continue; }
        const px = c * img.tileSize - (c > 0 ? img.overlap : 0);
        const py = r * img.tileSize - (r > 0 ? img.overlap : 0);
        ctx.drawImage(t, (px * f - ox) * scale, (py * f - oy) * scale, t.naturalWidth * f * scale,
          t.naturalHeight * f * scale);
      }
    }
    return complete;
  }

  function draw() {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (!img) return;
    // the level whose pixels are at least as fine as the screen's, a coarser one underneath while it loads
    let level = img.maxLevel - Math.max(0, Math.floor(Math.log2(1 / scale)));
    level = Math.max(0, Math.min(img.maxLevel, level));
    if (level > 0) drawLevel(level - 1);
    drawLevel(level);
    info.textContent = `${img.name}: ${img.width} x ${img.height} px, zoom ${(scale * 100).toFixed(1)} %, level ${level}`;
  }

  function zoom(factor, cx = canvas.width / 2, cy = canvas.height / 2) {
    const sx = ox + cx / scale, sy = oy + cy / scale;
    scale = Math.min(4, Math.max(1e-4, scale * factor));
    ox = sx - cx / scale;
    oy = sy - cy / scale;
    draw();
  }

  async function open(name) {
    const xml = new DOMParser().parseFromString(await (await fetch(`/slides/${encodeURIComponent(name)}.dzi`)).text(),
      'application/xml');
    const image = xml.documentElement, size = image.getElementsByTagName('Size')[0];
    const width = Number(size.getAttribute('Width')), height = Number(size.getAttribute('Height'));
    img = {name, width, height, tileSize: Number(image.getAttribute('TileSize')),
      overlap: Number(image.getAttribute('Overlap')), format: image.getAttribute('Format'),
      maxLevel: Math.ceil(Math.log2(Math.max(width, height)))};
    tiles.clear();
    loaded = 0;
    canvas.dataset.slide = name;
    fit();
  }

  let drag = null;
  canvas.addEventListener('pointerdown', e => { drag = {x: e.clientX, y: e.clientY}; canvas.setPointerCapture(e.pointerId); });
  canvas.addEventListener('pointermove', e => {
    if (!drag) return;
    ox -= (e.clientX - drag.x) / scale; oy -= (e.clientY - drag.y) / scale;
    drag = {x: e.clientX, y: e.clientY};
    draw();
  });
  canvas.addEventListener('pointerup', () => { drag = null; });
  canvas.addEventListener('wheel', e => { e.preventDefault(); zoom(e.deltaY < 0 ? 1.25 : 0.8, e.offsetX, e.offsetY); },
    {passive: false});
  canvas.addEventListener('keydown', e => {
    const step = 60 / scale;
    if (e.key === '+' || e.key === '=') zoom(1.25);
    else if (e.key === '-') zoom(0.8);
    else if (e.key === 'ArrowLeft') { ox -= step; draw(); }
    else if (e.key === 'ArrowRight') { ox += step; draw(); }
    else if (e.key === 'ArrowUp') { oy -= step; draw(); }
    else if (e.key === 'ArrowDown') { oy += step; draw(); }
    else return;
    e.preventDefault();
  });
  document.getElementById('zoom-in').addEventListener('click', () => zoom(1.25));
  document.getElementById('zoom-out').addEventListener('click', () => zoom(0.8));
  document.getElementById('zoom-fit').addEventListener('click', fit);
  select.addEventListener('change', () => open(select.value));
  window.addEventListener('resize', resize);

  (async () => {
    resize();
    const r = await fetch('/v1/slides');
    if (!r.ok) { info.textContent = (await r.json()).error.message; return; }
    const list = (await r.json()).data;
    for (const s of list) {
      const o = document.createElement('option');
      o.value = s.id;
      o.textContent = s.error ? `${s.id} (unreadable)` : `${s.id} (${s.width} x ${s.height})`;
      select.appendChild(o);
    }
    const wanted = new URLSearchParams(location.search).get('slide');
    if (list.length) open(wanted && list.some(s => s.id === wanted) ? wanted : list[0].id);
    else info.textContent = 'no slides';
  })();
})();
