// The chat widget's loader: the one script an intranet page includes, e.g.
//   <script src="https://helpdesk.example/widget.js" data-locale="de" data-token="..."></script>
// It reads the data- attributes and imports the widget's modules (versioned, cached for good)
// from the same place it came from. See docs/ui.md for every attribute.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.HelpdeskWidget) return;
  var data = script.dataset;
  var src = new URL(script.src, location.href);
  var config = {
    base: (data.helpdeskUrl || new URL(".", src).href).replace(/\/+$/, ""),
    locale: data.locale || "",
    token: data.token || "",
    tokenFunction: data.tokenFunction || "",
    tokenEndpoint: data.tokenEndpoint || "",
    employeeEmail: data.employeeEmail || "",
    employeeName: data.employeeName || "",
    open: data.open === "true",
    position: data.position === "left" ? "left" : "right",
  };
  var queued = [];
  // Calls made before the modules arrived are replayed once the widget is mounted.
  window.HelpdeskWidget = {
    open: function () { queued.push(["open"]); },
    close: function () { queued.push(["close"]); },
    setLocale: function (locale) { queued.push(["setLocale", locale]); },
  };
  var moduleUrl = new URL("static/__ASSET_VERSION__/widget/main.js", src).href;
  function start() {
    import(moduleUrl)
      .then(function (module) {
        var api = module.mount(config);
        window.HelpdeskWidget = api;
        queued.forEach(function (call) { api[call[0]](call[1]); });
      })
      .catch(function (error) { console.error("IT help widget could not start:", error); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
  } else {
    start();
  }
})();
