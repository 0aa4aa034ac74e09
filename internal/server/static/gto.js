// gto serve: progressive enhancement only. Every page works without this
// script (times then show in UTC, filters submit the form, pages do not
// reload by themselves).
"use strict";

(function () {
  const body = document.body;
  const staticSite = body.dataset.mode === "static";

  // Times: <time datetime="ISO"> shows UTC; rewrite it in the reader's zone.
  const pad = (n) => String(n).padStart(2, "0");
  function localTime(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  for (const el of document.querySelectorAll("time[datetime]")) {
    const d = new Date(el.getAttribute("datetime"));
    if (!isNaN(d)) {
      el.title = el.getAttribute("datetime");
      el.textContent = localTime(d);
    }
  }
  const tz = document.querySelector(".tz");
  if (tz) {
    let zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* old browser */ }
    tz.textContent = "times in your zone" + (zone ? " (" + zone + ")" : "");
  }

  // Tokens of write forms: remembered for this tab only.
  for (const input of document.querySelectorAll('input[name="token"]')) {
    input.value = sessionStorage.getItem("gto-token") || "";
    input.form.addEventListener("submit", () => sessionStorage.setItem("gto-token", input.value));
  }

  // Filters. On the server, a change submits the form; on a static site
  // the rows are filtered here, from their data- attributes.
  function parseList(s) {
    try { return JSON.parse(s || "null") || []; } catch (e) { return []; }
  }
  function wire(form, filter) {
    if (!form) return;
    if (!staticSite) {
      for (const el of form.querySelectorAll("select, input[type=checkbox]")) {
        el.addEventListener("change", () => form.submit());
      }
      return;
    }
    const run = () => {
      const shown = filter(new FormData(form));
      const count = document.getElementById("shown");
      if (count) count.textContent = shown;
    };
    form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
    form.addEventListener("input", run);
    form.addEventListener("change", run);
    run();
  }
  wire(document.getElementById("registry-filter"), (f) => {
    const q = (f.get("q") || "").toLowerCase();
    const type = f.get("type"), label = f.get("label"), stage = f.get("stage");
    const deprecated = f.get("deprecated") !== null;
    const repo = f.get("repo"); // a registry set's page
    let shown = 0;
    for (const tr of document.querySelectorAll("#registry tbody tr")) {
      const ok = (deprecated || !tr.hasAttribute("data-deprecated")) &&
        (!repo || tr.dataset.repo === repo) &&
        (!q || tr.dataset.search.includes(q)) &&
        (!type || tr.dataset.type === type) &&
        (!label || parseList(tr.dataset.labels).includes(label)) &&
        (!stage || parseList(tr.dataset.stages).includes(stage));
      tr.hidden = !ok;
      if (ok) shown++;
    }
    return shown;
  });
  wire(document.getElementById("history-filter"), (f) => {
    const artifact = (f.get("artifact") || "").trim(), event = f.get("event"), stage = f.get("stage");
    let shown = 0;
    for (const tr of document.querySelectorAll("table.events tbody tr")) {
      const ok = (!artifact || tr.dataset.artifact === artifact) &&
        (!event || tr.dataset.event === event) && (!stage || tr.dataset.stage === stage);
      tr.hidden = !ok;
      if (ok) shown++;
    }
    return shown;
  });

  // Live: the server's event stream (Server-Sent Events) says when the
  // registry changed, and the page reloads — unless the reader is typing
  // in a form. Without EventSource, ask for the fingerprint every few
  // seconds instead (a 304 while it has not changed).
  const meta = document.querySelector('meta[name="gto-fingerprint"]');
  const every = Number(body.dataset.poll || 0);
  if (staticSite || !meta || !every || !window.fetch) return;
  const busy = () => {
    const a = document.activeElement;
    return (a && (a.tagName === "INPUT" || a.tagName === "SELECT" || a.tagName === "TEXTAREA")) ||
      [...document.querySelectorAll("form.write input:not([type=hidden]):not([name=token])")].some((i) => i.value);
  };
  // changed reports whether fp is another registry than the page's, and
  // reloads it (or says so, while the reader is busy).
  function changed(fp) {
    if (!fp || fp === meta.content) return false;
    if (busy()) document.getElementById("changed").hidden = false;
    else location.reload();
    return true;
  }
  if (window.EventSource && body.dataset.eventsUrl) {
    // Opened once the page has loaded, so that it never holds the load up.
    window.addEventListener("load", () => {
      const stream = new EventSource(body.dataset.eventsUrl);
      stream.addEventListener("fingerprint", (ev) => {
        let doc = {};
        try { doc = JSON.parse(ev.data); } catch (e) { return; }
        if (changed(doc.fingerprint)) stream.close();
      });
      // Leaving the page closes the stream at once (a browser keeps only
      // a few connections per server).
      window.addEventListener("pagehide", () => stream.close());
    });
    return; // EventSource reconnects by itself when the server restarts
  }
  let etag = "";
  async function check() {
    try {
      const res = await fetch(body.dataset.fingerprintUrl, { cache: "no-store", headers: etag ? { "If-None-Match": etag } : {} });
      if (res.status === 200) {
        etag = res.headers.get("ETag") || "";
        const doc = await res.json();
        if (changed(doc.fingerprint)) return;
      }
    } catch (e) { /* the server is restarting: try again later */ }
    setTimeout(check, every * 1000);
  }
  setTimeout(check, every * 1000);
})();
