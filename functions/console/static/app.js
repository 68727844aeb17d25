// The staff console: the public API and the real-time WebSocket, nothing else. Plain JavaScript, no
// build step. The API key lives in sessionStorage (this tab only) and is sent only in the X-API-Key
// header of our API's requests; the WebSocket gets a single-use token instead.
"use strict";

// The page is at $API/console/: the API is one folder up.
const API = new URL("..", window.location.href).href.replace(/\/$/, "");
const KEY_STORAGE = "tickets.console.apiKey";
const PAGE_SIZE = 25;
const HISTORY_PAGE = 50;
const RECONNECT_MAX_MS = 30000;

const $ = (id) => document.getElementById(id);

const state = {
  key: null,
  me: null,
  agents: [],
  queueLoads: 0,
  pages: [null], // the cursor of each page read so far; the last is the current one
  nextCursor: null,
  ticket: null,
  ticketLoads: 0,
  historyLoads: 0,
  messagesCursor: null,
  historyCursor: null,
  socket: null,
  reconnectDelay: 1000,
  reconnectTimer: null,
  seenEvents: new Set(),
  refreshTimer: null,
  replyIdempotencyKey: null,
};

const STATUS_LABELS = {
  OPEN: "Open",
  IN_PROGRESS: "In progress",
  WAITING_ON_CUSTOMER: "Waiting on customer",
  ON_HOLD: "On hold",
  CLOSED: "Closed",
};
const PRIORITY_LABELS = { LOW: "Low", MEDIUM: "Medium", HIGH: "High", URGENT: "Urgent", CRITICAL: "Critical" };

// ------------------------------------------------------------------ the API

class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || `The API answered ${status}`);
    this.status = status;
    this.code = error && error.code;
    this.details = (error && error.details) || [];
  }

  describe() {
    const fields = this.details.map((detail) => `${detail.field} ${detail.message}`);
    return fields.length ? `${this.message}: ${fields.join("; ")}` : this.message;
  }
}

async function api(method, path, { query, body, headers } = {}) {
  const url = new URL(API + path);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const sent = { "X-API-Key": state.key, ...(headers || {}) };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  } catch (failure) {
    throw new ApiError(0, { code: "NETWORK", message: "The API could not be reached" });
  }
  const text = await response.text();
  let document = {};
  try {
    document = text ? JSON.parse(text) : {};
  } catch (failure) {
    // Not our API's JSON (a proxy's error page): the status says what happened.
  }
  if (!response.ok) {
    const error = new ApiError(response.status, document.error);
    if (response.status === 401 && state.me) signOut("Your API key is no longer accepted: sign in again.");
    throw error;
  }
  return { document, etag: response.headers.get("ETag") };
}

function newIdempotencyKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// ------------------------------------------------------------------ little helpers

function element(tag, { text, className, attributes } = {}, children = []) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text; // never innerHTML: tickets hold customers' text
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function say(id, message) {
  const node = $(id);
  node.textContent = message || "";
  node.hidden = !message;
}

const DURATION_UNITS = [
  [86400 * 30, "mo"],
  [86400, "d"],
  [3600, "h"],
  [60, "min"],
];

function duration(seconds) {
  for (const [size, unit] of DURATION_UNITS) if (seconds >= size) return `${Math.floor(seconds / size)} ${unit}`;
  return "under 1 min";
}

function age(timestamp) {
  const seconds = Math.max(0, (Date.now() - Date.parse(timestamp)) / 1000);
  return seconds < 60 ? "just now" : duration(seconds);
}

function when(timestamp) {
  return new Date(timestamp).toLocaleString();
}

function customerName(customer) {
  return customer.name || customer.email || customer.externalId;
}

function notice(message) {
  const item = element("p", { text: message, className: "notice" });
  const close = element("button", { text: "Dismiss", className: "link", attributes: { type: "button" } });
  close.addEventListener("click", () => item.remove());
  item.append(" ", close);
  $("notices").append(item);
  setTimeout(() => item.remove(), 15000);
}

// ------------------------------------------------------------------ signing in

async function signIn(key) {
  state.key = key;
  let me;
  try {
    me = (await api("GET", "/v1/me")).document.data;
  } catch (error) {
    state.key = null;
    if (error.status === 401 || error.status === 403) throw new Error("That API key was not accepted.");
    throw new Error(`Could not sign in: ${error.describe()}`);
  }
  if (me.role === "integration") {
    state.key = null;
    throw new Error("An integration key cannot work tickets here: use an agent or an admin key.");
  }
  state.me = me;
  state.pages = [null];
  state.seenEvents.clear();
  sessionStorage.setItem(KEY_STORAGE, key);
  $("who").textContent = me.role === "agent" ? `Agent ${me.agentId}` : `Admin of ${me.tenantId}`;
  show("who", true);
  show("sign-out", true);
  show("live-status", true);
  show("sign-in", false);
  setUpViews();
  await loadAgents();
  connectLive();
  route();
}

function signOut(message) {
  sessionStorage.removeItem(KEY_STORAGE);
  state.key = null;
  state.me = null;
  state.ticket = null;
  disconnectLive();
  for (const id of ["queue", "ticket", "who", "sign-out", "live-status"]) show(id, false);
  show("sign-in", true);
  $("api-key").value = "";
  say("sign-in-error", message || "");
  if (window.location.hash) history.replaceState(null, "", window.location.pathname);
  $("api-key").focus();
}

function setUpViews() {
  const views =
    state.me.role === "agent"
      ? [
          ["mine", "My tickets"],
          ["queue", "Unassigned queue"],
        ]
      : [
          ["all", "All tickets"],
          ["queue", "Unassigned queue"],
        ];
  const select = $("filter-view");
  select.replaceChildren(...views.map(([value, label]) => element("option", { text: label, attributes: { value } })));
}

async function loadAgents() {
  try {
    state.agents = (await api("GET", "/v1/agents")).document.data;
  } catch (error) {
    state.agents = [];
  }
}

// ------------------------------------------------------------------ the queue

function queueQuery() {
  const view = $("filter-view").value;
  const query = {
    status: $("filter-status").value,
    priority: $("filter-priority").value,
    awaiting: $("filter-awaiting").value,
    slaBreached: $("filter-sla").value,
    department: $("filter-department").value.trim(),
    tag: $("filter-tag").value.trim(),
    customerExternalId: $("filter-customer").value.trim(),
    sort: $("filter-sort").value,
    limit: PAGE_SIZE,
  };
  if (view === "mine") query.assignedAgentId = state.me.agentId;
  if (view === "queue") query.unassigned = "true";
  return query;
}

async function loadQueue() {
  const cursor = state.pages[state.pages.length - 1];
  const load = ++state.queueLoads;
  let page;
  try {
    page = (await api("GET", "/v1/tickets", { query: { ...queueQuery(), cursor } })).document;
  } catch (error) {
    if (load === state.queueLoads) say("queue-error", error.describe());
    return;
  }
  if (load !== state.queueLoads) return; // a newer read (a filter, a live event) is on its way
  say("queue-error", "");
  state.nextCursor = page.meta.nextCursor;
  $("stat-open").textContent = page.stats.open;
  $("stat-needs-response").textContent = page.stats.needsResponse;
  $("stat-unassigned").textContent = page.stats.unassigned;
  $("ticket-rows").replaceChildren(...page.data.map(ticketRow));
  show("queue-empty", page.data.length === 0);
  $("page-number").textContent = `Page ${state.pages.length}`;
  $("page-first").disabled = state.pages.length === 1;
  $("page-previous").disabled = state.pages.length === 1;
  $("page-next").disabled = !state.nextCursor;
}

function ticketRow(ticket) {
  const link = element("a", { text: ticket.ticketNumber, attributes: { href: `#/tickets/${ticket.id}` } });
  const owes = ticket.awaitingResponseFrom === "AGENT" ? "We do" : "Customer";
  const cells = [
    element("td", {}, [link]),
    element("td", { text: ticket.subject }),
    element("td", {}, [badge("status", ticket.status, STATUS_LABELS)]),
    element("td", {}, [badge("priority", ticket.priority, PRIORITY_LABELS)]),
    element("td", { text: customerName(ticket.customer) }),
    element("td", { text: age(ticket.createdAt), attributes: { title: when(ticket.createdAt) } }),
    element("td", { text: owes, className: ticket.awaitingResponseFrom === "AGENT" ? "owed" : "" }),
    slaCell(ticket),
  ];
  return element("tr", { attributes: { "data-ticket-id": ticket.id } }, cells);
}

// ------------------------------------------------------------------ SLA clocks (README, SLA clocks)

const SLA_METRICS = { firstResponse: "First reply", nextResponse: "Next reply", resolution: "Resolution" };

// The metric due soonest of those running (not met, not paused), as sort=slaDueAt orders them.
function slaDue(ticket) {
  if (!ticket.sla) return null;
  const running = Object.keys(SLA_METRICS)
    .map((name) => ticket.sla[name])
    .filter((metric) => metric && metric.dueAt && !metric.metAt && !metric.pausedAt);
  running.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  return running[0] || null;
}

function slaCell(ticket) {
  const metric = slaDue(ticket);
  if (!metric) {
    const paused = ticket.sla && Object.keys(SLA_METRICS).some((name) => ticket.sla[name]?.pausedAt);
    return element("td", { text: paused ? "Paused" : "—" });
  }
  const left = (Date.parse(metric.dueAt) - Date.now()) / 1000;
  const text = left >= 0 ? `in ${duration(left)}` : `${duration(-left)} overdue`;
  return element("td", { text, className: left < 0 ? "overdue" : "", attributes: { title: when(metric.dueAt) } });
}

function slaState(metric) {
  if (metric.metAt) return `Met ${when(metric.metAt)}${metric.breachedAt ? ", late" : ""}`;
  if (metric.pausedAt) return `Paused, ${duration(metric.remainingSeconds)} left`;
  return `${metric.breachedAt ? "Breached: was due" : "Due"} ${when(metric.dueAt)}`;
}

function slaFacts(ticket) {
  if (!ticket.sla) return [];
  return Object.entries(SLA_METRICS)
    .filter(([name]) => ticket.sla[name])
    .map(([name, label]) => [`${label} (SLA)`, slaState(ticket.sla[name])]);
}

function badge(kind, value, labels) {
  return element("span", { text: labels[value] || value, className: `badge ${kind}-${value.toLowerCase()}` });
}

function firstPage() {
  state.pages = [null];
  return loadQueue();
}

// ------------------------------------------------------------------ a ticket

async function openTicket(id) {
  show("queue", false);
  show("ticket", true);
  say("ticket-error", "");
  say("reply-result", "");
  say("update-result", "");
  if (!state.ticket || state.ticket.id !== id) {
    $("ticket-title").textContent = "Loading…";
    $("ticket-facts").replaceChildren();
    $("messages").replaceChildren();
    $("history").replaceChildren();
    $("reply-text").value = "";
    state.replyIdempotencyKey = null;
  }
  await loadTicket(id);
  $("ticket-title").focus({ preventScroll: true });
}

async function loadTicket(id) {
  // Live events and the page's own writes both reload the ticket: only the latest read is shown,
  // whichever answer comes back last.
  const load = ++state.ticketLoads;
  let read;
  try {
    read = await api("GET", `/v1/tickets/${encodeURIComponent(id)}`);
  } catch (error) {
    if (load !== state.ticketLoads) return;
    $("ticket-title").textContent = "Ticket";
    say("ticket-error", error.status === 404 ? "There is no such ticket." : error.describe());
    return;
  }
  if (load !== state.ticketLoads) return;
  const ticket = read.document.data;
  state.ticket = ticket;
  state.etag = read.etag;
  state.messagesCursor = ticket.messagesCursor || null;
  renderTicket(ticket);
  $("messages").replaceChildren(...ticket.messages.map(messageItem));
  show("more-messages", Boolean(state.messagesCursor));
  await loadHistory(true);
}

function renderTicket(ticket) {
  $("ticket-title").textContent = `${ticket.ticketNumber}: ${ticket.subject}`;
  $("ticket-title").setAttribute("tabindex", "-1");
  const facts = [
    ["Status", STATUS_LABELS[ticket.status]],
    ["Priority", PRIORITY_LABELS[ticket.priority]],
    ["Customer", `${customerName(ticket.customer)} (${ticket.customer.externalId})`],
    ["Assignee", ticket.assignedAgent ? ticket.assignedAgent.name : "Unassigned"],
    ["Owes a reply", ticket.awaitingResponseFrom === "AGENT" ? "We do" : "The customer"],
    ["Opened", when(ticket.createdAt)],
    ["Updated", when(ticket.updatedAt)],
  ];
  $("description-text").textContent = ticket.description || "";
  show("ticket-description", Boolean(ticket.description));
  if (ticket.department) facts.push(["Department", ticket.department]);
  if (ticket.tagIds.length) facts.push(["Tags", ticket.tagIds.join(", ")]);
  facts.push(...slaFacts(ticket));
  $("ticket-facts").replaceChildren(
    ...facts.map(([name, value]) => element("div", {}, [element("dt", { text: name }), element("dd", { text: value })]))
  );
  $("update-status").value = ticket.status;
  $("update-priority").value = ticket.priority;
  const assignee = $("update-assignee");
  const options = [element("option", { text: "Unassigned", attributes: { value: "" } })];
  const known = new Set();
  for (const agent of state.agents) {
    known.add(agent.id);
    const label = agent.available ? agent.name : `${agent.name} (away)`;
    options.push(element("option", { text: label, attributes: { value: agent.id } }));
  }
  if (ticket.assignedAgent && !known.has(ticket.assignedAgent.id)) {
    options.push(element("option", { text: ticket.assignedAgent.name, attributes: { value: ticket.assignedAgent.id } }));
  }
  assignee.replaceChildren(...options);
  assignee.value = ticket.assignedAgent ? ticket.assignedAgent.id : "";
}

function messageItem(message) {
  const author = message.from.name || message.from.id;
  const role = message.internal ? "Internal note" : message.from.role === "AGENT" ? "Agent" : "Customer";
  const kind = message.internal ? "internal" : message.from.role.toLowerCase();
  return element("li", { className: `message message-${kind}`, attributes: { "data-message-id": message.id } }, [
    element("p", { className: "message-meta" }, [
      element("span", { text: role, className: "message-role" }),
      author ? ` ${author} · ` : " · ",
      element("time", { text: when(message.createdAt), attributes: { datetime: message.createdAt } }),
    ]),
    element("p", { text: message.message, className: "message-text" }),
  ]);
}

async function moreMessages() {
  if (!state.ticket || !state.messagesCursor) return;
  try {
    const read = await api("GET", `/v1/tickets/${state.ticket.id}`, { query: { messagesCursor: state.messagesCursor } });
    const ticket = read.document.data;
    $("messages").append(...ticket.messages.map(messageItem));
    state.messagesCursor = ticket.messagesCursor || null;
    show("more-messages", Boolean(state.messagesCursor));
  } catch (error) {
    say("ticket-error", error.describe());
  }
}

async function loadHistory(fromStart) {
  if (!state.ticket) return;
  const cursor = fromStart ? null : state.historyCursor;
  const load = ++state.historyLoads;
  try {
    const page = (
      await api("GET", `/v1/tickets/${state.ticket.id}/events`, { query: { limit: HISTORY_PAGE, cursor } })
    ).document;
    if (load !== state.historyLoads) return;
    const items = page.data.map(historyItem);
    if (fromStart) $("history").replaceChildren(...items);
    else $("history").append(...items);
    state.historyCursor = page.meta.nextCursor;
    show("more-history", Boolean(state.historyCursor));
  } catch (error) {
    // A deployment without the history still shows the ticket.
    $("history").replaceChildren(element("li", { text: `No history: ${error.describe()}` }));
  }
}

function actorName(actor) {
  if (actor.role === "system") return "automation";
  if (actor.role === "operator") return "an operator";
  if (actor.agentId) return `agent ${actor.agentId}`;
  return `${actor.role} key`;
}

function describeValue(value) {
  if (value === null || value === undefined) return "none";
  if (typeof value === "object") return value.name || value.id || JSON.stringify(value);
  return String(value);
}

function historyItem(event) {
  const changes = event.changes.map(
    (change) => `${change.field}: ${describeValue(change.from)} → ${describeValue(change.to)}`
  );
  const what = event.type === "message.created" && event.internal ? "internal note added" : event.type;
  return element("li", { className: "history-item" }, [
    element("time", { text: when(event.occurredAt), attributes: { datetime: event.occurredAt } }),
    element("span", { text: ` ${what} by ${actorName(event.actor)}` }),
    ...(changes.length ? [element("span", { text: ` (${changes.join(", ")})`, className: "changes" })] : []),
  ]);
}

async function sendReply(event) {
  event.preventDefault();
  const text = $("reply-text").value.trim();
  if (!text) {
    say("reply-result", "Write a reply first.");
    $("reply-text").focus();
    return;
  }
  const internal = $("reply-internal").checked;
  // One key per reply written: a retry after a lost answer cannot post it twice.
  state.replyIdempotencyKey = state.replyIdempotencyKey || newIdempotencyKey();
  $("reply-send").disabled = true;
  try {
    await api("POST", `/v1/tickets/${state.ticket.id}/messages`, {
      body: { message: text, internal, from: { role: "AGENT" } },
      headers: { "Idempotency-Key": state.replyIdempotencyKey },
    });
  } catch (error) {
    say("reply-result", `Not sent: ${error.describe()}`);
    return;
  } finally {
    $("reply-send").disabled = false;
  }
  $("reply-text").value = "";
  $("reply-internal").checked = false;
  state.replyIdempotencyKey = null;
  say("reply-result", internal ? "Internal note added." : "Reply sent.");
  await loadTicket(state.ticket.id);
}

async function saveChanges(event) {
  event.preventDefault();
  const ticket = state.ticket;
  const changes = {};
  if ($("update-status").value !== ticket.status) changes.status = $("update-status").value;
  if ($("update-priority").value !== ticket.priority) changes.priority = $("update-priority").value;
  const assignee = $("update-assignee").value || null;
  if (assignee !== (ticket.assignedAgent ? ticket.assignedAgent.id : null)) changes.assignedAgentId = assignee;
  if (!Object.keys(changes).length) {
    say("update-result", "Nothing to change.");
    return;
  }
  $("update-save").disabled = true;
  try {
    // Only to the version shown: a change someone made meanwhile is not overwritten unseen.
    await api("PATCH", `/v1/tickets/${ticket.id}`, { body: changes, headers: { "If-Match": state.etag } });
    say("update-result", "Saved.");
  } catch (error) {
    say(
      "update-result",
      error.status === 412
        ? "Someone changed this ticket meanwhile. It is shown as it is now: check and save again."
        : `Not saved: ${error.describe()}`
    );
    if (error.status !== 412) return;
  } finally {
    $("update-save").disabled = false;
  }
  await loadTicket(ticket.id);
}

// ------------------------------------------------------------------ live

function setLive(status, label) {
  const node = $("live-status");
  node.dataset.state = status;
  node.textContent = label;
}

async function connectLive() {
  clearTimeout(state.reconnectTimer);
  if (!state.me) return;
  setLive("connecting", "Connecting…");
  let url;
  try {
    url = (await api("POST", "/v1/realtime/tokens")).document.data.url;
  } catch (error) {
    scheduleReconnect();
    return;
  }
  if (!state.me) return;
  const socket = new WebSocket(url);
  state.socket = socket;
  socket.addEventListener("open", () => {
    state.reconnectDelay = 1000;
    setLive("open", "Live");
  });
  socket.addEventListener("message", (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch (error) {
      return;
    }
    if (event.type !== "subscribed" && event.type !== "error") onEvent(event);
  });
  socket.addEventListener("close", () => {
    if (state.socket !== socket) return; // replaced, or signed out
    state.socket = null;
    scheduleReconnect();
  });
}

function scheduleReconnect() {
  if (!state.me) return;
  setLive("reconnecting", "Reconnecting…");
  const delay = state.reconnectDelay;
  state.reconnectDelay = Math.min(delay * 2, RECONNECT_MAX_MS);
  // Each attempt asks for a fresh token: a token opens one connection only.
  state.reconnectTimer = setTimeout(connectLive, delay);
}

function disconnectLive() {
  clearTimeout(state.reconnectTimer);
  const socket = state.socket;
  state.socket = null;
  if (socket) socket.close();
  setLive("off", "Offline");
}

function onEvent(event) {
  const data = event.data || {};
  if (data.id) {
    if (state.seenEvents.has(data.id)) return; // at least once: a retried push can repeat one
    state.seenEvents.add(data.id);
    if (state.seenEvents.size > 1000) state.seenEvents.delete(state.seenEvents.values().next().value);
  }
  const ticket = data.ticket;
  if (!ticket) return;
  const mine = state.me.agentId && ticket.assignedAgent && ticket.assignedAgent.id === state.me.agentId;
  if (event.type === "ticket.created" && !ticket.assignedAgent) {
    notice(`New in the queue: ${ticket.ticketNumber} ${ticket.subject}`);
  } else if (event.type === "ticket.assigned" && mine) {
    notice(`Assigned to you: ${ticket.ticketNumber} ${ticket.subject}`);
  } else if (event.type === "ticket.created") {
    notice(`New ticket: ${ticket.ticketNumber} ${ticket.subject}`);
  }
  const open = state.ticket && !$("ticket").hidden && state.ticket.id === ticket.id;
  if (open) {
    if (event.type === "message.created" && data.message && data.message.from.role === "CUSTOMER") {
      notice(`The customer replied on ${ticket.ticketNumber}`);
    }
    if (event.type === "ticket.deleted") {
      say("ticket-error", "This ticket was deleted.");
      return;
    }
    loadTicket(ticket.id);
  }
  refreshQueueSoon();
}

function refreshQueueSoon() {
  // A burst of events (a new ticket is created, then assigned) reads the page once.
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => {
    if (state.me && !$("queue").hidden) loadQueue();
  }, 300);
}

// ------------------------------------------------------------------ routing

function route() {
  if (!state.me) return;
  const match = window.location.hash.match(/^#\/tickets\/([^/]+)$/);
  if (match) {
    openTicket(decodeURIComponent(match[1]));
  } else {
    show("ticket", false);
    show("queue", true);
    state.ticket = null;
    loadQueue();
  }
}

function options(labels) {
  return Object.entries(labels).map(([value, text]) => element("option", { text, attributes: { value } }));
}

function start() {
  // The statuses and priorities, in the API's order, from the one list of their names above.
  $("filter-status").append(...options(STATUS_LABELS));
  $("update-status").append(...options(STATUS_LABELS));
  $("filter-priority").append(...options(PRIORITY_LABELS).reverse());
  $("update-priority").append(...options(PRIORITY_LABELS));
  $("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = $("api-key").value.trim();
    if (!key) {
      say("sign-in-error", "Enter your API key.");
      return;
    }
    say("sign-in-error", "");
    try {
      await signIn(key);
      $("api-key").value = "";
    } catch (error) {
      say("sign-in-error", error.message);
      $("api-key").focus();
    }
  });
  $("sign-out").addEventListener("click", () => signOut(""));
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    firstPage();
  });
  $("filters").addEventListener("reset", () => setTimeout(firstPage, 0));
  $("filter-view").addEventListener("change", firstPage);
  $("filter-sort").addEventListener("change", firstPage);
  $("page-first").addEventListener("click", firstPage);
  $("page-previous").addEventListener("click", () => {
    state.pages.pop();
    loadQueue();
  });
  $("page-next").addEventListener("click", () => {
    if (!state.nextCursor) return;
    state.pages.push(state.nextCursor);
    loadQueue();
  });
  $("reply-form").addEventListener("submit", sendReply);
  $("ticket-update").addEventListener("submit", saveChanges);
  $("more-messages").addEventListener("click", moreMessages);
  $("more-history").addEventListener("click", () => loadHistory(false));
  window.addEventListener("hashchange", route);

  const saved = sessionStorage.getItem(KEY_STORAGE);
  if (saved) {
    signIn(saved).catch((error) => signOut(error.message));
  } else {
    $("api-key").focus();
  }
}

start();
