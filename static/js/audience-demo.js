// Demo audience measurement, served from this site and gated by consent: it
// runs only once the visitor's choice covers the "audience" category, and
// then sets the pp_audience cookie declared in the registry (13 months).
(function () {
  if (!/(^|;\s*)pp_audience=/.test(document.cookie)) {
    var b = new Uint8Array(8);
    crypto.getRandomValues(b);
    var id = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    document.cookie = "pp_audience=" + id + "; Max-Age=" + 395 * 86400 + "; Path=/; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }
  document.documentElement.setAttribute("data-audience", "measured");
})();
