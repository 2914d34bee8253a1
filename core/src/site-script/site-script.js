// Trailmark site script, served minified as GET /t.js (see serve.ts). Plain ES2017, no dependencies.
//
//   <script async src="https://<trailmark host>/t.js" data-store="<store id>"
//           [data-consent="wait"] [data-lookback-days="30"]></script>
//
// It keeps the Trailmark click ids a visitor arrived with (?tm_click=…, or ?utm_id=tm_…) in a first-party
// cookie for the lookback window, sends a page_view per page, a purchase on WooCommerce's order-received
// page, and whatever the page reports through window.trailmark.track(type, data). Events go to the
// script's own origin + /collect in the body format of core/src/events/collect-schema.ts.
//
// With data-consent="wait" nothing is stored or sent until window.trailmark.consent(true); events are held
// in memory until then. Calls made before the script loaded can be queued as
//   window.trailmark = window.trailmark || []; window.trailmark.push(["consent", true]);
// Nothing here may throw into the host page: every entry point is wrapped.
(() => {
  const w = window;
  const d = document;
  const previous = w.trailmark;
  if (previous instanceof Object && previous.__trailmark === true) return; // included twice: the first copy does the work

  const CLICK_ID = /^tm_[0-9A-Za-z]{16}$/;
  const CLICK_COOKIE = "_tm_clk";
  const VISITOR_COOKIE = "_tm_vid";
  const DAY_MS = 864e5;
  const MAX_DAYS = 90;
  const DEFAULT_DAYS = 30;
  const MAX_CLICKS = 10;
  const MAX_HELD = 50; // events held in memory while waiting for consent
  const MAX_BATCH = 100; // MAX_EVENTS_PER_BATCH
  const MAX_BYTES = 60000; // under MAX_COLLECT_BYTES (64 KiB) and the keepalive budget
  const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  const noop = () => {};
  const safe =
    (fn) =>
    (...args) => {
      try {
        return fn(...args);
      } catch (_e) {
        return undefined;
      }
    };

  /** n base62 characters from crypto.getRandomValues (Math.random only where crypto is missing). */
  const random = (n) => {
    const crypto = w.crypto;
    let out = "";
    while (out.length < n) {
      const bytes = new Uint8Array(n * 2);
      if (crypto) crypto.getRandomValues(bytes);
      else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
      for (let i = 0; i < bytes.length && out.length < n; i++) {
        if (bytes[i] < 248) out += ALPHABET[bytes[i] % 62]; // 248 = 4 * 62: no bias
      }
    }
    return out;
  };

  /** Whole days in 1..90, or 0 when the value is not a positive number. */
  const days = (value) => {
    const n = Math.floor(Number(value));
    return n >= 1 ? Math.min(n, MAX_DAYS) : 0;
  };

  // --- configuration, read while this script is the current one ---------------------------------------

  const findScript = () => {
    if (d.currentScript) return d.currentScript;
    const scripts = d.getElementsByTagName("script");
    for (let i = scripts.length - 1; i >= 0; i--) {
      if (/\/t\.js(?:[?#]|$)/.test(scripts[i].src)) return scripts[i];
    }
    return null;
  };

  let script = null;
  let endpoint = "";
  let store = "";
  let waitForConsent = false;
  let defaultDays = DEFAULT_DAYS;
  let params = null;
  try {
    script = findScript();
    if (script) {
      endpoint = new URL(script.src, location.href).origin + "/collect?src=script";
      store = (script.getAttribute("data-store") || "").trim().slice(0, 100);
      waitForConsent = script.getAttribute("data-consent") === "wait";
      defaultDays = days(script.getAttribute("data-lookback-days")) || DEFAULT_DAYS;
    }
    params = new URLSearchParams(location.search);
  } catch (_e) {
    params = null;
  }
  const param = (name) => (params ? params.get(name) || "" : "");
  const paramAll = (name) => (params ? params.getAll(name) : []);

  /** Click ids in this page's URL: tm_click, and utm_id when it holds one of ours. */
  const urlClickIds = paramAll("tm_click")
    .concat(paramAll("utm_id"))
    .filter((id, i, all) => CLICK_ID.test(id) && all.indexOf(id) === i);
  const lookbackDays = days(param("tm_lb")) || defaultDays;

  // --- cookies -----------------------------------------------------------------------------------------

  const readCookie = (name) => {
    const parts = d.cookie ? d.cookie.split(/;\s*/) : [];
    for (const part of parts) {
      const eq = part.indexOf("=");
      if (eq > 0 && part.slice(0, eq) === name) return part.slice(eq + 1);
    }
    return "";
  };

  const writeCookie = (name, value, maxAgeMs) => {
    // biome-ignore lint/suspicious/noDocumentCookie: the async Cookie Store API is missing from browsers this script serves
    d.cookie =
      name +
      "=" +
      value +
      "; Max-Age=" +
      Math.max(0, Math.floor(maxAgeMs / 1000)) +
      "; Path=/; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  };

  /** Unexpired click ids from the cookie, most recent first: "tm_….<expiry in epoch seconds>|…". */
  const storedClicks = () => {
    const now = Date.now();
    const clicks = [];
    for (const entry of readCookie(CLICK_COOKIE).split("|")) {
      const dot = entry.lastIndexOf(".");
      const id = entry.slice(0, dot);
      const expires = Number(entry.slice(dot + 1)) * 1000;
      if (CLICK_ID.test(id) && expires > now && !clicks.some((c) => c.id === id)) clicks.push({ id, expires });
    }
    return clicks;
  };

  /** This page's click ids go first with their own expiry; the cookie lives as long as its newest entry. */
  const storeClicks = () => {
    if (!urlClickIds.length) return;
    const now = Date.now();
    const expires = now + lookbackDays * DAY_MS;
    const fresh = urlClickIds.map((id) => ({ id, expires }));
    const clicks = fresh.concat(storedClicks().filter((c) => urlClickIds.indexOf(c.id) < 0)).slice(0, MAX_CLICKS);
    let last = now;
    const value = clicks
      .map((c) => {
        last = Math.max(last, c.expires);
        return c.id + "." + Math.floor(c.expires / 1000);
      })
      .join("|");
    writeCookie(CLICK_COOKIE, value, last - now);
  };

  /** Click ids to send: this page's, then the stored ones (kept in memory too, should cookies be blocked). */
  const heldClickIds = () => {
    const ids = urlClickIds.slice();
    for (const c of storedClicks()) if (ids.indexOf(c.id) < 0) ids.push(c.id);
    return ids.slice(0, 20);
  };

  let visitorId = "";
  const visitor = () => {
    if (!visitorId) {
      const stored = readCookie(VISITOR_COOKIE);
      visitorId = /^[0-9A-Za-z]{16,64}$/.test(stored) ? stored : random(22);
    }
    return visitorId;
  };

  // --- sending -----------------------------------------------------------------------------------------

  let granted = !waitForConsent;
  let scheduled = false;
  const held = [];

  /** Stores what consent allows: this page's click ids, and the visitor id (rolling, at most 90 days). */
  const persist = () => {
    storeClicks();
    writeCookie(VISITOR_COOKIE, visitor(), MAX_DAYS * DAY_MS);
  };

  const size = (text) => (w.Blob ? new Blob([text]).size : text.length * 3);

  const post = (body) => {
    if (typeof w.fetch === "function") {
      w.fetch(endpoint, { method: "POST", keepalive: true, body, headers: { "content-type": "text/plain" } }).catch(
        noop,
      );
    } else if (navigator.sendBeacon) {
      navigator.sendBeacon(endpoint, body);
    }
  };

  const flush = safe(() => {
    scheduled = false;
    if (!granted) return;
    if (!store || !endpoint) {
      held.length = 0; // misconfigured tag: nowhere to send
      return;
    }
    const visitorIdNow = visitor();
    const clickIds = heldClickIds();
    while (held.length) {
      const events = [];
      let body = "";
      while (held.length && events.length < MAX_BATCH) {
        const event = held[0];
        event.visitor_id = visitorIdNow;
        event.click_ids = clickIds;
        const next = JSON.stringify({ store, events: events.concat([event]) });
        if (events.length && size(next) > MAX_BYTES) break;
        events.push(held.shift());
        body = next;
      }
      post(body);
    }
  });

  const schedule = () => {
    if (!scheduled && granted) {
      scheduled = true;
      Promise.resolve().then(flush).catch(noop); // one batch for the events of the same task
    }
  };

  const enqueue = (event) => {
    event.occurred_at = new Date().toISOString();
    event.url = location.href.slice(0, 4000);
    if (d.referrer) event.referrer = d.referrer.slice(0, 4000);
    held.push(event);
    if (held.length > MAX_HELD && !granted) held.shift();
    schedule();
  };

  // --- events ------------------------------------------------------------------------------------------

  const text = (max) => (v) => {
    const s = typeof v === "number" && Number.isFinite(v) ? String(v) : v;
    return typeof s === "string" && s && s.length <= max ? s : undefined;
  };
  const FIELDS = {
    customer: text(320),
    checkout_token: text(200),
    order_id: text(200),
    order_key: text(200),
    name: text(100),
    value: (v) => ((typeof v === "number" && v >= 0 && Number.isFinite(v)) || /^\d+(\.\d+)?$/.test(v) ? v : undefined),
    currency: (v) => (typeof v === "string" && /^[a-zA-Z]{3}$/.test(v) ? v.toUpperCase() : undefined),
    discount_codes: (v) =>
      (Array.isArray(v) ? v : [v])
        .filter((c) => typeof c === "string" && c && c.length <= 100)
        .slice(0, 20)
        .map(String),
  };
  const FIELDS_OF = {
    page_view: [],
    sign_up: ["customer"],
    purchase: ["checkout_token", "order_id", "order_key", "value", "currency", "discount_codes"],
    custom: ["name", "value", "currency"],
  };

  /** track(type, data): sign_up, purchase, custom (data.name), page_view; any other type is a custom event. */
  const track = (type, data) => {
    if (typeof type !== "string" || !type) return;
    const input = data && typeof data === "object" ? data : {};
    let kind = type;
    const event = {};
    if (Object.keys(FIELDS_OF).indexOf(kind) < 0) {
      event.name = kind.slice(0, 100);
      kind = "custom";
    }
    event.type = kind;
    for (const field of FIELDS_OF[kind]) {
      const value = FIELDS[field](input[field]);
      if (value !== undefined) event[field] = value;
    }
    if (kind === "custom" && !event.name) return;
    if (kind === "purchase" && !event.order_id && !event.checkout_token) return;
    if (event.value !== undefined && !event.currency) delete event.value;
    const id = text(100)(input.id);
    // A purchase's id derives from its order, so that a reloaded thank-you page is counted once.
    // Other ids start with the time (8 base36 characters until 2059) so the server's idempotency index
    // grows at its end instead of taking each new id on a random page.
    event.id =
      id ||
      (kind === "purchase" && event.order_id
        ? ("purchase:" + event.order_id).slice(0, 100)
        : Date.now().toString(36) + random(14));
    enqueue(event);
  };

  const consent = (yes) => {
    if (yes) {
      if (!granted) {
        granted = true;
        persist();
      }
      schedule();
    } else {
      granted = false;
      held.length = 0;
      visitorId = "";
      writeCookie(CLICK_COOKIE, "", 0);
      writeCookie(VISITOR_COOKIE, "", 0);
    }
  };

  /** WooCommerce's thank-you page: /checkout/order-received/<id>/?key=wc_order_… or ?order-received=<id>&key=… */
  const orderReceived = () => {
    const key = param("key");
    if (key.indexOf("wc_order_") !== 0) return null;
    const match = /\/order-received\/([^/?#]+)/.exec(location.pathname);
    const orderId = match ? decodeURIComponent(match[1]) : param("order-received");
    return orderId ? { order_id: orderId, order_key: key } : null;
  };

  const api = {
    __trailmark: true,
    track: safe(track),
    consent: safe(consent),
  };

  safe(() => {
    w.trailmark = api;
    if (granted) persist();
    track("page_view");
    const order = orderReceived();
    if (order) track("purchase", order);
    if (Array.isArray(previous)) {
      for (const call of previous) {
        const args = Array.prototype.slice.call(call || []);
        const fn = api[args[0]];
        if (typeof fn === "function" && args[0] !== "__trailmark") fn(args[1], args[2]);
      }
    }
  })();
})();
