// PathoReason page: ask the served model about an image, watch its reasoning stream, see the knowledge-graph
// terms it names. Talks to the same server's /v1/chat/completions (streamed) and /api/entities.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { model: null, image: null, imageName: null, controller: null, current: null, history: [] };

function setStatus(text) {
  $('status').textContent = text;
}

async function loadModel() {
  try {
    const r = await fetch('/v1/models');
    const body = await r.json();
    if (!r.ok) {
      throw new Error(body.error ? body.error.message : r.statusText);
    }
    const m = body.data[0];
    state.model = m.id;
    $('model-name').textContent = 'model: ' + m.id;
    if (m.pathoreason && m.pathoreason.default_max_tokens) {
      $('max-tokens').value = Math.min(256, m.pathoreason.default_max_tokens);
    }
  } catch (e) {
    $('model-name').textContent = 'server not reachable: ' + e.message;
  }
}

function readImage(file) {
  if (!file) {
    return;
  }
  if (!/^image\/(png|jpeg|tiff)$/.test(file.type)) {
    setStatus('Please choose a PNG, JPEG or TIFF image.');
    return;
  }
  const reader = new FileReader();
  reader.onload = () => {
    state.image = reader.result;
    state.imageName = file.name;
    const preview = $('preview');
    preview.src = reader.result;
    preview.alt = 'Selected image ' + file.name;
    preview.hidden = false;
    $('drop-text').textContent = 'Drop or choose another image';
    $('image-name').textContent = file.name + ' (' + Math.round(file.size / 1024) + ' KB)';
  };
  reader.readAsDataURL(file);
}

function options() {
  if (!$('mode-mcq').checked) {
    return [];
  }
  return $('options').value.split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
}

function requestBody() {
  const content = [];
  if (state.image) {
    content.push({ type: 'image_url', image_url: { url: state.image } });
  }
  content.push({ type: 'text', text: $('question').value.trim() });
  const body = {
    model: state.model,
    messages: [{ role: 'user', content }],
    temperature: Number($('temperature').value),
    max_tokens: Number($('max-tokens').value),
    stream: true,
    stream_options: { include_usage: true },
  };
  const opts = options();
  if (opts.length > 0) {
    body.options = opts;
  }
  return body;
}

async function ask(event) {
  if (event) {
    event.preventDefault();
  }
  if (state.controller) {
    return;
  }
  const question = $('question').value.trim();
  if (!question) {
    setStatus('Please write a question.');
    $('question').focus();
    return;
  }
  if ($('mode-mcq').checked && options().length < 2) {
    setStatus('A multiple-choice question needs at least two options, one per line.');
    $('options').focus();
    return;
  }
  const body = requestBody();
  const c = {
    created: new Date().toISOString(), model: state.model, image: state.image, imageName: state.imageName,
    question, options: body.options || [], settings: { temperature: body.temperature, max_tokens: body.max_tokens },
    reasoning: '', answer: '', finish_reason: null, usage: null, entities: [],
  };
  state.current = c;
  $('reasoning').textContent = '';
  $('answer').textContent = '';
  $('entity-panel').hidden = true;
  $('export').disabled = true;
  $('ask').disabled = true;
  $('stop').disabled = false;
  setStatus('Thinking…');
  state.controller = new AbortController();
  try {
    const r = await fetch('/v1/chat/completions', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      signal: state.controller.signal,
    });
    if (!r.ok) {
      const err = await r.json().catch(() => ({}));
      throw new Error(err.error ? err.error.message : r.status + ' ' + r.statusText);
    }
    await readStream(r.body, c);
    setStatus('Done' + (c.finish_reason === 'length' ? ' (cut at the length limit)' : '') + '.');
    await markEntities(c);
    addHistory(c);
    $('export').disabled = false;
    $('answer').focus();
  } catch (e) {
    setStatus(e.name === 'AbortError' ? 'Stopped.' : 'Error: ' + e.message);
  } finally {
    state.controller = null;
    $('ask').disabled = false;
    $('stop').disabled = true;
  }
}

async function readStream(stream, c) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data: ')) {
          continue;
        }
        const data = line.slice(6);
        if (data === '[DONE]') {
          return;
        }
        const chunk = JSON.parse(data);
        if (chunk.error) {
          throw new Error(chunk.error.message);
        }
        if (chunk.usage) {
          c.usage = chunk.usage;
        }
        for (const choice of chunk.choices || []) {
          const d = choice.delta || {};
          if (d.reasoning_content) {
            c.reasoning += d.reasoning_content;
            $('reasoning').textContent = c.reasoning;
          }
          if (d.content) {
            c.answer += d.content;
            $('answer').textContent = c.answer;
          }
          if (choice.finish_reason) {
            c.finish_reason = choice.finish_reason;
          }
        }
      }
    }
  }
}

/** Marks the graph's terms in the reasoning and the answer; each is a button showing its neighbours. */
async function markEntities(c) {
  try {
    const text = c.reasoning + '\n' + c.answer;
    const r = await fetch('/api/entities', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text }),
    });
    if (!r.ok) {
      return;
    }
    const body = await r.json();
    c.entities = body.entities;
    const split = c.reasoning.length + 1;
    render($('reasoning'), c.reasoning, body.entities.filter((e) => e.end <= c.reasoning.length), 0);
    render($('answer'), c.answer, body.entities.filter((e) => e.start >= split), split);
  } catch (e) {
    // highlights are a help, not a must
  }
}

function render(target, text, entities, offset) {
  target.textContent = '';
  let at = 0;
  for (const e of entities) {
    const start = e.start - offset;
    const end = e.end - offset;
    target.append(document.createTextNode(text.slice(at, start)));
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'term term-' + (e.type || 'entity').replace(/[^a-z_]/gi, '');
    b.textContent = text.slice(start, end);
    b.title = e.name + ' (' + e.type + ')';
    b.setAttribute('aria-label', e.name + ', ' + e.type + ': show graph neighbours');
    b.addEventListener('click', () => showEntity(e));
    b.addEventListener('mouseenter', () => showEntity(e));
    b.addEventListener('focus', () => showEntity(e));
    target.append(b);
    at = end;
  }
  target.append(document.createTextNode(text.slice(at)));
}

function showEntity(e) {
  $('entity-title').textContent = e.name + ' — ' + e.type.replace(/_/g, ' ');
  const list = $('entity-neighbours');
  list.textContent = '';
  if (e.neighbours.length === 0) {
    const li = document.createElement('li');
    li.textContent = 'no neighbours in the graph';
    list.append(li);
  }
  for (const n of e.neighbours) {
    const li = document.createElement('li');
    const rel = n.relation.replace(/_/g, ' ');
    li.textContent = n.direction === 'out' ? rel + ' → ' + n.name : n.name + ' → ' + rel + ' → this';
    list.append(li);
  }
  $('entity-panel').hidden = false;
}

function addHistory(c) {
  state.history.unshift(c);
  const li = document.createElement('li');
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'history-item';
  const time = new Date(c.created).toLocaleTimeString();
  b.textContent = time + ' · ' + c.question.slice(0, 60) + ' → ' + (c.answer || '(no answer)').slice(0, 40);
  b.addEventListener('click', () => restore(c));
  li.append(b);
  $('history').prepend(li);
}

function restore(c) {
  state.current = c;
  $('question').value = c.question;
  $('mode-mcq').checked = c.options.length > 0;
  $('mode-free').checked = c.options.length === 0;
  $('options').value = c.options.join('\n');
  $('options-block').hidden = c.options.length === 0;
  if (c.image) {
    state.image = c.image;
    state.imageName = c.imageName;
    $('preview').src = c.image;
    $('preview').hidden = false;
  }
  const split = c.reasoning.length + 1;
  render($('reasoning'), c.reasoning, c.entities.filter((e) => e.end <= c.reasoning.length), 0);
  render($('answer'), c.answer, c.entities.filter((e) => e.start >= split), split);
  $('export').disabled = false;
  setStatus('Case from ' + c.created.slice(11, 19) + '.');
}

function exportCase() {
  const c = state.current;
  if (!c) {
    return;
  }
  const record = {
    kind: 'pathoreason-case', notice: 'research use only, not for diagnosis', created: c.created, model: c.model,
    image: { name: c.imageName, data_url: c.image }, question: c.question, options: c.options,
    reasoning: c.reasoning, answer: c.answer, finish_reason: c.finish_reason, usage: c.usage,
    settings: c.settings, entities: c.entities.map((e) => ({ id: e.id, name: e.name, type: e.type, text: e.text })),
  };
  const blob = new Blob([JSON.stringify(record, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'pathoreason-case-' + c.created.replace(/[:.]/g, '-') + '.json';
  a.id = 'export-link';
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  setStatus('Case exported as ' + a.download + '.');
}

function init() {
  $('image-input').addEventListener('change', (e) => readImage(e.target.files[0]));
  const drop = $('drop-zone');
  drop.tabIndex = 0;
  drop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      $('image-input').click();
    }
  });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    readImage(e.dataTransfer.files[0]);
  });
  for (const id of ['mode-free', 'mode-mcq']) {
    $(id).addEventListener('change', () => { $('options-block').hidden = !$('mode-mcq').checked; });
  }
  $('temperature').addEventListener('input', () => { $('temperature-value').textContent = $('temperature').value; });
  $('ask-form').addEventListener('submit', ask);
  $('stop').addEventListener('click', () => state.controller && state.controller.abort());
  $('export').addEventListener('click', exportCase);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      ask(e);
    }
  });
  loadModel();
}

document.addEventListener('DOMContentLoaded', init);
