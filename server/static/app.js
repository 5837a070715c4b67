// The muse web UI: plain JavaScript over the server's own API (fetch + server-sent events), no CDN.
"use strict";

const $ = (selector) => document.querySelector(selector);
const IMAGE_ID = /\bimg_[0-9a-f]{12}\b/g;
const state = { session: null, attachments: [], busy: false, blobs: new Map() };

function apiKey() { return localStorage.getItem("muse-api-key") || ""; }

async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  if (apiKey()) headers.set("Authorization", `Bearer ${apiKey()}`);
  const response = await fetch(path, { ...options, headers });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).error.message || message; } catch (_) { /* not JSON */ }
    if (response.status === 401) $("#key-panel").open = true;
    throw new Error(message);
  }
  return response;
}

function showError(error) {
  const box = $("#error");
  box.textContent = error ? String(error.message || error) : "";
  box.hidden = !error;
}

// Images need the API key, so they are fetched and shown from blob: URLs.
async function imageURL(id) {
  if (!state.blobs.has(id)) {
    state.blobs.set(id, api(`/v1/images/${id}`).then((r) => r.blob()).then((b) => URL.createObjectURL(b)));
  }
  return state.blobs.get(id);
}

function addImage(container, id, className) {
  const img = document.createElement("img");
  img.alt = id;
  img.dataset.imageId = id;
  if (className) img.className = className;
  container.appendChild(img);
  imageURL(id).then((url) => { img.src = url; }).catch(showError);
  return img;
}

function bubble(role, text = "") {
  const div = document.createElement("div");
  div.className = `msg ${role}`;
  const trace = document.createElement("ul");
  trace.className = "trace";
  trace.hidden = true;
  const body = document.createElement("div");
  body.className = "text";
  body.textContent = text;
  const images = document.createElement("div");
  images.className = "images";
  div.append(trace, body, images);
  $("#messages").appendChild(div);
  div.scrollIntoView({ block: "end" });
  return { div, trace, body, images };
}

function traceItem(view, call) {
  view.trace.hidden = false;
  let li = view.trace.querySelector(`li[data-call-id="${CSS.escape(call.id)}"]`);
  if (!li) {
    li = document.createElement("li");
    li.dataset.callId = call.id;
    view.trace.appendChild(li);
  }
  const args = JSON.stringify(call.arguments || {});
  li.className = call.error ? "failed" : (call.result_summary || call.ms ? "done" : "running");
  li.textContent = `${call.name}(${args})`;
  if (call.result_summary || call.error) {
    const result = document.createElement("span");
    result.className = "result";
    result.textContent = ` → ${call.error || call.result_summary}${call.ms ? ` (${Math.round(call.ms)} ms)` : ""}`;
    li.appendChild(result);
  }
}

function showImagesIn(view, text, shown) {
  for (const id of text.match(IMAGE_ID) || []) {
    if (!shown.has(id)) { shown.add(id); addImage(view.images, id, "generated"); }
  }
}

// -- sessions ----------------------------------------------------------------------------------

async function loadSessions() {
  const list = $("#sessions");
  try {
    const sessions = (await (await api("/v1/sessions")).json()).data;
    list.replaceChildren(...sessions.map((s) => {
      const li = document.createElement("li");
      li.textContent = s.title;
      li.title = `${s.title}\n${s.turns} turn(s), ${s.updated}`;
      li.dataset.sessionId = s.id;
      li.classList.toggle("active", s.id === state.session);
      li.addEventListener("click", () => openSession(s.id, s.title));
      return li;
    }));
  } catch (error) { showError(error); }
}

function newSession() {
  state.session = `ui-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  $("#messages").replaceChildren();
  $("#session-title").textContent = "New conversation";
  document.querySelectorAll("#sessions li").forEach((li) => li.classList.remove("active"));
  showError(null);
  $("#message-input").focus();
}

async function openSession(id, title) {
  state.session = id;
  $("#session-title").textContent = title || id;
  $("#messages").replaceChildren();
  showError(null);
  document.querySelectorAll("#sessions li").forEach((li) => li.classList.toggle("active", li.dataset.sessionId === id));
  try {
    const history = (await (await api(`/v1/sessions/${encodeURIComponent(id)}`)).json()).messages;
    let assistant = null;
    for (const entry of history) {
      if (entry.role === "user") {
        const view = bubble("user", entry.content);
        (entry.images || []).forEach((image) => addImage(view.images, image));
        assistant = null;
      } else if (entry.role === "tool_calls") {
        assistant = assistant || bubble("assistant");
        entry.calls.forEach((call, i) => traceItem(assistant, { id: `h${i}-${Math.random()}`, ...call, ms: 0, result_summary: "" }));
      } else if (entry.role === "assistant") {
        assistant = assistant || bubble("assistant");
        assistant.body.textContent = entry.content;
        assistant.trace.querySelectorAll("li").forEach((li) => { li.className = "done"; });
        showImagesIn(assistant, entry.content, new Set());
        assistant = null;
      }
    }
  } catch (error) { showError(error); }
}

// -- attachments -------------------------------------------------------------------------------

async function attach(files) {
  for (const file of files) {
    const form = new FormData();
    form.append("file", file);
    try {
      const image = await (await api("/v1/images", { method: "POST", body: form })).json();
      state.attachments.push(image.id);
      const figure = document.createElement("figure");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.title = "Remove";
      remove.addEventListener("click", () => {
        state.attachments = state.attachments.filter((id) => id !== image.id);
        figure.remove();
      });
      figure.append(remove);
      addImage(figure, image.id, "attachment");
      $("#attachments").appendChild(figure);
    } catch (error) { showError(error); }
  }
}

// -- a turn ------------------------------------------------------------------------------------

async function send(text) {
  if (state.busy || (!text.trim() && !state.attachments.length)) return;
  if (!state.session) newSession();
  state.busy = true;
  $("#send").disabled = true;
  showError(null);
  const images = state.attachments.splice(0);
  $("#attachments").replaceChildren();
  const mine = bubble("user", text);
  images.forEach((id) => addImage(mine.images, id));
  const view = bubble("assistant");
  view.div.classList.add("pending");
  const content = [{ type: "text", text }, ...images.map((id) => ({ type: "image_url", image_url: { url: `muse://${id}` } }))];
  const shown = new Set();
  try {
    const response = await api("/v1/chat/completions", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Session-Id": state.session },
      body: JSON.stringify({ model: "muse", stream: true, messages: [{ role: "user", content }] }),
    });
    for await (const data of serverSentEvents(response)) {
      if (data.error) throw new Error(data.error.message);
      const delta = data.choices && data.choices[0] && data.choices[0].delta;
      if (delta && delta.content) { view.body.textContent += delta.content; view.div.scrollIntoView({ block: "end" }); }
      const event = data.muse;
      if (!event) continue;
      if (event.event === "tool_started" || event.event === "tool_finished") traceItem(view, event.call);
      else if (event.event === "image" && !shown.has(event.image.id)) { shown.add(event.image.id); addImage(view.images, event.image.id, "generated"); }
      else if (event.event === "refused") view.div.classList.add("refused");
      else if (event.event === "turn_finished") {
        event.turn.images.forEach((image) => { if (!shown.has(image.id)) { shown.add(image.id); addImage(view.images, image.id, "generated"); } });
        view.div.dataset.session = event.turn.session;
      }
    }
    view.div.classList.remove("pending");
    view.div.classList.add("done");
  } catch (error) {
    view.div.remove();
    showError(error);
  } finally {
    state.busy = false;
    $("#send").disabled = false;
    loadSessions();
  }
}

async function* serverSentEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
      if (!data) continue;
      if (data === "[DONE]") return;
      yield JSON.parse(data);
    }
  }
}

// -- start -------------------------------------------------------------------------------------

async function start() {
  $("#api-key").value = apiKey();
  $("#key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    localStorage.setItem("muse-api-key", $("#api-key").value.trim());
    state.blobs.clear();
    showError(null);
    loadSessions();
  });
  $("#new-session").addEventListener("click", newSession);
  $("#attach").addEventListener("change", (event) => { attach([...event.target.files]); event.target.value = ""; });
  $("#composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("#message-input");
    const text = input.value;
    input.value = "";
    send(text);
  });
  $("#message-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("#composer").requestSubmit(); }
  });
  try {
    const health = await (await fetch("/healthz")).json();
    $("#auth-mode").textContent = health.auth === "keys"
      ? "This server needs an API key (muse keys create NAME)."
      : "No keys configured: loopback only, as user 'local'.";
    if (health.auth === "keys" && !apiKey()) $("#key-panel").open = true;
  } catch (error) { showError(error); }
  newSession();
  loadSessions();
}

start();
